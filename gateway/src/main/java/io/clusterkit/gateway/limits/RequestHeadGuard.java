package io.clusterkit.gateway.limits;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Guards the head of every request on one public connection: a request whose line or
 * headers could not be decoded is answered with a problem (414 line too long, 431 headers
 * too large, 505 for a version other than 1.0 and 1.1, 400 for a target that is not a
 * URI, a missing or malformed {@code Host} and anything else undecodable) instead of
 * Reactor Netty's empty answer and its WARN log line per bad request, and a request whose
 * head does not arrive in full within the header timeout is answered 408. The clock
 * starts when the connection opens, and on a keep-alive connection at the first byte of
 * each further request; between requests the idle timeout
 * ({@code server.netty.idle-timeout}) applies instead. A new connection that sent nothing
 * at all by then is closed without an answer, as HAProxy's {@code http-ignore-probes}
 * does: browsers open spare connections they may never use.
 * <p>
 * Two handlers share this state: {@link #bytes()} before the HTTP codec sees bytes
 * arrive, {@link #requests()} after it sees heads decoded and responses written. One
 * scheduled check per connection at a time, not one per request. Everything runs on the
 * connection's event loop: no locks, no volatile.
 *
 * @author clusterkit
 */
final class RequestHeadGuard {

	private static final Log logger = LogFactory.getLog(RequestHeadGuard.class);

	static final RawProblem TIMEOUT = new RawProblem(408, "Request Timeout",
			"The request line and headers did not arrive in time.");

	static final RawProblem LINE_TOO_LONG = new RawProblem(414, "URI Too Long",
			"The request line is longer than this gateway accepts.");

	static final RawProblem HEADERS_TOO_LARGE = new RawProblem(431, "Request Header Fields Too Large",
			"The request headers are larger than this gateway accepts.");

	static final RawProblem MALFORMED = new RawProblem(400, "Bad Request",
			"The request is not valid HTTP/1.1 and could not be read.");

	static final RawProblem BAD_TARGET = new RawProblem(400, "Bad Request", "The request target is not a valid URI.");

	static final RawProblem BAD_HOST = new RawProblem(400, "Bad Request",
			"The Host header is missing, repeated or not a host name.");

	static final RawProblem VERSION_NOT_SUPPORTED = new RawProblem(505, "HTTP Version Not Supported",
			"This gateway speaks HTTP/1.1 and HTTP/1.0.");

	/**
	 * How long a refused client may take to read the answer before the connection closes.
	 */
	private static final long LINGER_MILLIS = 2000;

	private final long timeoutNanos;

	private final Bytes bytes = new Bytes();

	private final Requests requests = new Requests();

	private final Runnable check = this::check;

	private ChannelHandlerContext head;

	private boolean awaitingHead;

	/** Whether any byte of the awaited head has arrived. */
	private boolean headStarted;

	private long deadline;

	private boolean checkScheduled;

	/** Requests decoded and not yet answered in full (more than one when pipelined). */
	private int unanswered;

	private boolean refused;

	RequestHeadGuard(long timeoutNanos) {
		this.timeoutNanos = timeoutNanos;
	}

	/** The handler to place before the HTTP codec. */
	ChannelInboundHandlerAdapter bytes() {
		return this.bytes;
	}

	/** The handler to place right after the HTTP codec. */
	ChannelDuplexHandler requests() {
		return this.requests;
	}

	private void awaitHead(boolean started) {
		this.awaitingHead = true;
		this.headStarted = started;
		this.deadline = System.nanoTime() + this.timeoutNanos;
		if (!this.checkScheduled) {
			schedule(this.timeoutNanos);
		}
	}

	private void schedule(long delayNanos) {
		this.checkScheduled = true;
		this.head.executor().schedule(this.check, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void check() {
		this.checkScheduled = false;
		if (!this.awaitingHead || this.refused || !this.head.channel().isActive()) {
			return;
		}
		long left = this.deadline - System.nanoTime();
		if (left > 0) {
			schedule(left);
			return;
		}
		if (!this.headStarted) {
			this.head.close();
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Request head from " + this.head.channel().remoteAddress() + " timed out; answered 408");
		}
		refuse(TIMEOUT);
	}

	/**
	 * Answer and close, but let the client read the answer first: closing a socket with
	 * unread input resets the connection, and the client would see the reset, not the
	 * answer. Output is shut at once; input is read (and discarded by the codec) until
	 * the client closes or the linger time ends.
	 */
	private void refuse(RawProblem problem) {
		this.refused = true;
		this.awaitingHead = false;
		this.head.writeAndFlush(problem.response()).addListener((ChannelFutureListener) (written) -> {
			if (written.channel() instanceof DuplexChannel duplex) {
				duplex.shutdownOutput();
				duplex.eventLoop().schedule(() -> duplex.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
			}
			else {
				written.channel().close();
			}
		});
	}

	/**
	 * Why a decoded head is refused, if it is: it could not be decoded; its version is
	 * one Netty reads ({@code HTTP/x.y}) but this server does not speak; or its
	 * {@code Host} is missing (HTTP/1.1), repeated or not a host, which the web layer
	 * would otherwise answer with an empty 400 of its own (RFC 9112, section 3.2).
	 */
	static @Nullable RawProblem refusalOf(HttpRequest request) {
		if (request.decoderResult().isFailure()) {
			return problemFor(request.decoderResult().cause());
		}
		HttpVersion version = request.protocolVersion();
		if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
			return VERSION_NOT_SUPPORTED;
		}
		if (!isRequestTarget(request.uri())) {
			return BAD_TARGET;
		}
		Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
		if (!hosts.hasNext()) {
			return (version == HttpVersion.HTTP_1_1) ? BAD_HOST : null;
		}
		String host = hosts.next();
		return (hosts.hasNext() || !isHost(host)) ? BAD_HOST : null;
	}

	/**
	 * Only characters a URI may hold (RFC 3986): anything else ({@code \}, {@code "},
	 * {@code <}, {@code |}, controls, raw non-ASCII) the web layer cannot parse.
	 */
	static boolean isRequestTarget(String uri) {
		if (uri.isEmpty()) {
			return false;
		}
		for (int i = 0; i < uri.length(); i++) {
			char c = uri.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "-._~!$&'()*+,;=:@/?%[]".indexOf(c) >= 0;
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	/** {@code host[:port]}: a reg-name or IPv4 address, or a bracketed IPv6 literal. */
	static boolean isHost(String value) {
		int length = value.length();
		int i = 0;
		if (length > 0 && value.charAt(0) == '[') {
			int close = value.indexOf(']');
			if (close < 2) {
				return false;
			}
			for (i = 1; i < close; i++) {
				char c = value.charAt(i);
				if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
					return false;
				}
			}
			i = close + 1;
		}
		else {
			while (i < length && value.charAt(i) != ':') {
				char c = value.charAt(i);
				boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
						|| "-._~!$&'()*+,;=%".indexOf(c) >= 0;
				if (!allowed) {
					return false;
				}
				i++;
			}
			if (i == 0) {
				return false;
			}
		}
		if (i == length) {
			return true;
		}
		if (value.charAt(i) != ':' || length - i - 1 > 5) {
			return false;
		}
		for (int p = i + 1; p < length; p++) {
			if (value.charAt(p) < '0' || value.charAt(p) > '9') {
				return false;
			}
		}
		return true;
	}

	static RawProblem problemFor(Throwable cause) {
		Throwable root = (cause.getCause() != null) ? cause.getCause() : cause;
		if (cause instanceof TooLongHttpLineException || root instanceof TooLongHttpLineException) {
			return LINE_TOO_LONG;
		}
		if (cause instanceof TooLongHttpHeaderException || root instanceof TooLongHttpHeaderException) {
			return HEADERS_TOO_LARGE;
		}
		return MALFORMED;
	}

	private final class Bytes extends ChannelInboundHandlerAdapter {

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			RequestHeadGuard.this.head = ctx;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			awaitHead(false);
			ctx.fireChannelActive();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (RequestHeadGuard.this.refused) {
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof ByteBuf) {
				if (RequestHeadGuard.this.awaitingHead) {
					RequestHeadGuard.this.headStarted = true;
				}
				else if (RequestHeadGuard.this.unanswered == 0) {
					awaitHead(true);
				}
			}
			ctx.fireChannelRead(msg);
		}

	}

	private final class Requests extends ChannelDuplexHandler {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof HttpRequest request) {
				RawProblem refusal = (RequestHeadGuard.this.unanswered == 0) ? refusalOf(request) : null;
				if (refusal != null) {
					if (logger.isDebugEnabled()) {
						logger.debug("Refused a request from " + ctx.channel().remoteAddress() + " with "
								+ refusal.status() + ": " + request.decoderResult());
					}
					ReferenceCountUtil.release(msg);
					refuse(refusal);
					return;
				}
				RequestHeadGuard.this.awaitingHead = false;
				RequestHeadGuard.this.unanswered++;
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof LastHttpContent && !isInformational(msg) && RequestHeadGuard.this.unanswered > 0) {
				RequestHeadGuard.this.unanswered--;
			}
			ctx.write(msg, promise);
		}

		private static boolean isInformational(Object msg) {
			return msg instanceof HttpResponse response
					&& response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
		}

	}

}
