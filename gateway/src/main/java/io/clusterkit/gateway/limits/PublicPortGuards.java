package io.clusterkit.gateway.limits;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpRequestDecoderSpec;

/**
 * Puts a public connection's guard in place for the protocol it speaks:
 * {@link RequestHeadGuard} around the HTTP/1.1 codec, {@link Http2Guard} after the HTTP/2
 * frame codec. Reactor Netty builds the pipeline per protocol, and for two of them only
 * once the connection has said which:
 * <ul>
 * <li>HTTP/1.1 alone, TLS or not: the codec is there when the connection opens;</li>
 * <li>TLS with HTTP/2 on: ALPN picks {@code h2} or {@code http/1.1} at the end of the
 * handshake, and the guard goes in before the first decrypted byte passes;</li>
 * <li>cleartext with HTTP/2 on: the first bytes are the HTTP/2 preface (prior knowledge,
 * h2c) or an HTTP/1.1 request. Until they come the HTTP/1.1 guard times the connection.
 * An HTTP/1.1 connection loses Netty's {@code Upgrade: h2c} handling (RFC 9113 deprecates
 * it; HAProxy and nginx never offered it): the request is served as HTTP/1.1, by the same
 * decoder as on a port without HTTP/2.</li>
 * </ul>
 *
 * @author clusterkit
 */
final class PublicPortGuards {

	private static final String HEAD_BYTES = "clusterkit.headBytes";

	private static final String HEADS = "clusterkit.heads";

	private static final String STREAMS = "clusterkit.streams";

	private static final String PROTOCOL = "clusterkit.protocol";

	private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

	private final HttpRequestDecoderSpec decoder;

	private final long headerTimeoutNanos;

	private final long bodyTimeoutNanos;

	private final long idleTimeoutNanos;

	PublicPortGuards(HttpRequestDecoderSpec decoder, long headerTimeoutNanos, long bodyTimeoutNanos,
			long idleTimeoutNanos) {
		this.decoder = decoder;
		this.headerTimeoutNanos = headerTimeoutNanos;
		this.bodyTimeoutNanos = bodyTimeoutNanos;
		this.idleTimeoutNanos = idleTimeoutNanos;
	}

	/** Guard a connection Reactor Netty has just set up. */
	void install(ChannelPipeline pipeline) {
		if (pipeline.get(NettyPipeline.HttpCodec) instanceof HttpServerCodec) {
			http11(pipeline);
		}
		else if (pipeline.get(NettyPipeline.H2OrHttp11Codec) != null) {
			pipeline.addAfter(NettyPipeline.H2OrHttp11Codec, PROTOCOL, new Negotiated());
		}
		else if (pipeline.get(NettyPipeline.H2CUpgradeHandler) != null) {
			RequestHeadGuard guard = newHttp11Guard();
			pipeline.addBefore(NettyPipeline.H2CUpgradeHandler, HEAD_BYTES, guard.bytes())
				.addAfter(HEAD_BYTES, PROTOCOL, new PriorKnowledge(guard));
		}
		else if (pipeline.get(NettyPipeline.HttpCodec) instanceof Http2FrameCodec) {
			http2(pipeline);
		}
		else {
			throw new IllegalStateException("No guard for a connection with handlers " + pipeline.names());
		}
	}

	/**
	 * The {@code SETTINGS_MAX_HEADER_LIST_SIZE} to announce, which Netty enforces with an
	 * empty 431: well past the line and header limits {@link Http2Guard} checks, so that
	 * those heads get a problem; Netty's count adds 32 bytes a field, which HTTP/1.1
	 * lines do not hold.
	 */
	long http2HeaderListSize() {
		return 2L * (this.decoder.maxInitialLineLength() + this.decoder.maxHeaderSize());
	}

	private RequestHeadGuard newHttp11Guard() {
		return new RequestHeadGuard(this.headerTimeoutNanos, this.bodyTimeoutNanos, this.idleTimeoutNanos);
	}

	/** Our decoder in place of Reactor Netty's, and the guard around it. */
	private RequestHeadGuard http11(ChannelPipeline pipeline) {
		pipeline.replace(NettyPipeline.HttpCodec, NettyPipeline.HttpCodec, newCodec());
		RequestHeadGuard guard = newHttp11Guard();
		pipeline.addBefore(NettyPipeline.HttpCodec, HEAD_BYTES, guard.bytes())
			.addAfter(NettyPipeline.HttpCodec, HEADS, guard.requests());
		return guard;
	}

	private HttpServerCodec newCodec() {
		return new HttpServerCodec(decoderConfig(this.decoder));
	}

	/**
	 * The decoder Reactor Netty would build from its settings, making heads that show a
	 * folded {@code Content-Length} ({@link LengthFoldingHeaders}).
	 */
	static HttpDecoderConfig decoderConfig(HttpRequestDecoderSpec decoder) {
		return new HttpDecoderConfig().setMaxInitialLineLength(decoder.maxInitialLineLength())
			.setMaxHeaderSize(decoder.maxHeaderSize())
			.setMaxChunkSize(decoder.maxChunkSize())
			.setValidateHeaders(decoder.validateHeaders())
			.setInitialBufferSize(decoder.initialBufferSize())
			.setAllowDuplicateContentLengths(decoder.allowDuplicateContentLengths())
			.setAllowPartialChunks(decoder.allowPartialChunks())
			.setHeadersFactory(LengthFoldingHeaders.FACTORY);
	}

	private void http2(ChannelPipeline pipeline) {
		pipeline.addAfter(NettyPipeline.HttpCodec, STREAMS, new Http2Guard(this.decoder.maxInitialLineLength(),
				this.decoder.maxHeaderSize(), this.headerTimeoutNanos, this.bodyTimeoutNanos, this.idleTimeoutNanos));
	}

	/**
	 * After ALPN: Netty's negotiation handler has built the pipeline when it passes on
	 * the handshake's end, or before that the bytes that came with it.
	 */
	private final class Negotiated extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			settle(ctx);
			ctx.fireChannelRead(msg);
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
			if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
				settle(ctx);
			}
			ctx.fireUserEventTriggered(evt);
		}

		private void settle(ChannelHandlerContext ctx) {
			ChannelPipeline pipeline = ctx.pipeline();
			Object codec = pipeline.get(NettyPipeline.HttpCodec);
			if (codec instanceof HttpServerCodec) {
				http11(pipeline).start();
			}
			else if (codec instanceof Http2FrameCodec) {
				http2(pipeline);
			}
			else {
				return;
			}
			pipeline.remove(this);
		}

	}

	/**
	 * Before Netty's prior-knowledge handler on a cleartext port: reads the first bytes
	 * and settles the protocol first, so that no frame and no head passes unguarded.
	 */
	private final class PriorKnowledge extends ByteToMessageDecoder {

		private final RequestHeadGuard http11;

		PriorKnowledge(RequestHeadGuard http11) {
			this.http11 = http11;
		}

		@Override
		protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
			ChannelPipeline pipeline = ctx.pipeline();
			int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
			if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length)) {
				pipeline.remove(NettyPipeline.H2CUpgradeHandler);
				pipeline.remove(HttpServerUpgradeHandler.class);
				pipeline.replace(HttpServerCodec.class, NettyPipeline.HttpCodec, newCodec());
				pipeline.addAfter(NettyPipeline.HttpCodec, HEADS, this.http11.requests());
				// the bytes read so far go on to the codec as this handler leaves
				pipeline.remove(this);
				return;
			}
			if (length < PREFACE.readableBytes()) {
				return;
			}
			this.http11.stop();
			pipeline.remove(HEAD_BYTES);
			// Netty's handler sees the preface and builds the HTTP/2 pipeline
			ctx.fireChannelRead(in.readRetainedSlice(length));
			http2(pipeline);
			pipeline.remove(this);
		}

	}

}
