package io.clusterkit.gateway.limits;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamVisitor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Guards one public HTTP/2 connection, the HTTP/2 counterpart of
 * {@link RequestHeadGuard}. It sits between Netty's frame codec and the stream
 * multiplexer, so it sees each stream's frames before the stream becomes a request:
 * <ul>
 * <li>a head the HTTP/1.1 guard would refuse (a {@code :path} past the request line's
 * limit, headers past the header size, method, target, host, {@code X-Forwarded-Host}) is
 * answered on its stream with the same problem, the stream reset if the client was still
 * sending; the connection's other streams go on;</li>
 * <li>a connection with no stream open is closed with a GOAWAY after the header timeout
 * if it never opened one, after the idle timeout otherwise: a client trickling a HEADERS
 * frame in CONTINUATION frames never opens a stream, so a slowloris ends here as it does
 * over HTTP/1.1;</li>
 * <li>a request body with no DATA for the body timeout is answered 408 on its stream (a
 * reset if the response has started) and the stream reset: the request to the instance is
 * aborted mid-body, never completed, and nothing is charged to the instance. Time in
 * which the instance is slow to take the bytes is not the client's: bytes received and
 * not yet consumed keep the client's flow-control window shut, so a stream holding such
 * bytes is not stalled.</li>
 * </ul>
 * A stream the client resets (HTTP/2's cancel) closes its request as a closed HTTP/1.1
 * connection does. Netty enforces the rest itself: frame sizes, header lists past the
 * SETTINGS limit (an empty 431, or a GOAWAY well past it), CONTINUATION and empty-frame
 * floods, rapid reset (200 RST_STREAM per 30 s), a DATA length that differs from
 * {@code content-length}; the concurrent streams of one connection are bounded by the
 * SETTINGS the server sends.
 * <p>
 * One scheduled check per connection at a time, not one per stream; everything runs on
 * the connection's event loop: no locks, no volatile.
 *
 * @author clusterkit
 */
final class Http2Guard extends ChannelInboundHandlerAdapter {

	private static final Log logger = LogFactory.getLog(Http2Guard.class);

	static final RawProblem BODY_STALLED = new RawProblem(408, "Request Timeout",
			"The request body stalled: no byte arrived for the body timeout.");

	/** A stream's mark once its head is accepted and its body is over, or had none. */
	private static final Object NO_BODY = new Object();

	private final int maxTargetLength;

	private final int maxHeaderSize;

	private final long headerTimeoutNanos;

	private final long bodyTimeoutNanos;

	private final long idleTimeoutNanos;

	private final Recheck recheck = new Recheck(this::check);

	private final Http2StreamVisitor stalledBodies = this::checkBody;

	private ChannelHandlerContext context;

	private Http2Connection connection;

	private Http2Connection.PropertyKey body;

	/** Whether a request was ever accepted on this connection. */
	private boolean served;

	/** When a stream was last seen open. */
	private long busyAt;

	/** During a check: when it runs and the nearest deadline it found. */
	private long now;

	private long next;

	Http2Guard(int maxTargetLength, int maxHeaderSize, long headerTimeoutNanos, long bodyTimeoutNanos,
			long idleTimeoutNanos) {
		this.maxTargetLength = maxTargetLength;
		this.maxHeaderSize = maxHeaderSize;
		this.headerTimeoutNanos = headerTimeoutNanos;
		this.bodyTimeoutNanos = bodyTimeoutNanos;
		this.idleTimeoutNanos = idleTimeoutNanos;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
		this.connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
		this.body = this.connection.newKey();
		this.connection.addListener(new Http2ConnectionAdapter() {

			@Override
			public void onStreamClosed(Http2Stream stream) {
				Http2Guard.this.busyAt = System.nanoTime();
			}

		});
		this.busyAt = System.nanoTime();
		this.recheck.within(ctx.executor(), this.headerTimeoutNanos);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2HeadersFrame headers) {
			Http2Stream stream = this.connection.stream(headers.stream().id());
			if (stream != null && stream.getProperty(this.body) == null) {
				RawProblem refusal = RequestHeadGuard.refusalOf(headers.headers(), this.maxTargetLength,
						this.maxHeaderSize);
				if (refusal != null) {
					stream.setProperty(this.body, NO_BODY);
					refuse(ctx, headers, refusal);
					return;
				}
				this.served = true;
				if (headers.isEndStream()) {
					stream.setProperty(this.body, NO_BODY);
				}
				else {
					stream.setProperty(this.body, new BodyClock(headers.stream()));
					this.recheck.within(ctx.executor(), this.bodyTimeoutNanos);
				}
			}
			else if (stream != null && headers.isEndStream()) {
				// trailers end the body
				stream.setProperty(this.body, NO_BODY);
			}
		}
		else if (msg instanceof Http2DataFrame data) {
			Http2Stream stream = this.connection.stream(data.stream().id());
			if (stream != null && stream.getProperty(this.body) instanceof BodyClock clock) {
				if (data.isEndStream()) {
					stream.setProperty(this.body, NO_BODY);
				}
				else {
					clock.readAt = System.nanoTime();
				}
			}
		}
		ctx.fireChannelRead(msg);
	}

	private void refuse(ChannelHandlerContext ctx, Http2HeadersFrame headers, RawProblem refusal) {
		if (logger.isDebugEnabled()) {
			logger.debug("Refused an HTTP/2 request from " + ctx.channel().remoteAddress() + " with " + refusal.status()
					+ ": " + headers.headers().method() + " " + headers.headers().path());
		}
		answer(ctx, headers.stream(), refusal, !headers.isEndStream());
	}

	/**
	 * The problem on one stream, and a reset (no error: the answer is complete) when the
	 * client is still sending, so that it stops. The reset goes once the DATA is written:
	 * DATA waits for flow control, a reset does not, and a reset first would drop it.
	 */
	private static void answer(ChannelHandlerContext ctx, Http2FrameStream stream, RawProblem problem, boolean reset) {
		ctx.write(new DefaultHttp2HeadersFrame(problem.http2Headers()).stream(stream));
		ChannelFuture data = ctx.writeAndFlush(new DefaultHttp2DataFrame(problem.content(), true).stream(stream));
		if (reset) {
			data.addListener(
					(written) -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR).stream(stream)));
		}
	}

	private void check() {
		if (!this.context.channel().isActive()) {
			return;
		}
		this.now = System.nanoTime();
		if (this.connection.numActiveStreams() == 0) {
			long left = this.busyAt + (this.served ? this.idleTimeoutNanos : this.headerTimeoutNanos) - this.now;
			if (left > 0) {
				this.recheck.within(this.context.executor(), left);
				return;
			}
			if (logger.isDebugEnabled()) {
				logger.debug("Closed an HTTP/2 connection from " + this.context.channel().remoteAddress()
						+ (this.served ? ": idle" : ": no request in time"));
			}
			// the codec sends a GOAWAY first
			this.context.close();
			return;
		}
		this.busyAt = this.now;
		this.next = this.idleTimeoutNanos;
		try {
			this.connection.forEachActiveStream(this.stalledBodies);
		}
		catch (Http2Exception ex) {
			// the visitor throws none
			this.context.fireExceptionCaught(ex);
		}
		this.recheck.within(this.context.executor(), this.next);
	}

	private boolean checkBody(Http2Stream stream) {
		if (!(stream.getProperty(this.body) instanceof BodyClock clock)) {
			return true;
		}
		if (this.connection.local().flowController().unconsumedBytes(stream) > 0) {
			// the request's reader (the instance) is behind, not the client
			clock.readAt = this.now;
		}
		long left = clock.readAt + this.bodyTimeoutNanos - this.now;
		if (left > 0) {
			this.next = Math.min(this.next, left);
			return true;
		}
		stream.setProperty(this.body, NO_BODY);
		if (logger.isDebugEnabled()) {
			logger.debug("HTTP/2 request body from " + this.context.channel().remoteAddress() + " stalled");
		}
		if (stream.isHeadersSent()) {
			this.context.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(clock.stream));
		}
		else {
			answer(this.context, clock.stream, BODY_STALLED, true);
		}
		return true;
	}

	/** A stream whose body is streaming in, and when its last DATA came. */
	private static final class BodyClock {

		final Http2FrameStream stream;

		long readAt = System.nanoTime();

		BodyClock(Http2FrameStream stream) {
			this.stream = stream;
		}

	}

}
