package io.clusterkit.gateway.limits;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.NettyPipeline;

/**
 * Guards the head of every request on one public connection: a request whose line or
 * headers could not be decoded is answered with a problem (414 line too long, 431 headers
 * too large, 505 for a version other than 1.0 and 1.1, 400 for a target that is not a
 * URI, a missing or malformed {@code Host} and anything else undecodable) instead of
 * Reactor Netty's empty answer and its WARN log line per bad request, and a request whose
 * head does not arrive in full within the header timeout is answered 408. The clock
 * starts when the connection opens, and on a keep-alive connection at the first byte of
 * each further request. A new connection that sent nothing at all by then is closed
 * without an answer, as HAProxy's {@code http-ignore-probes} does: browsers open spare
 * connections they may never use. Between requests the keep-alive idle timeout applies
 * instead, and closes the connection, also without an answer. It is kept here rather than
 * by Reactor Netty's {@code idleTimeout}, which removes and adds a handler in the
 * pipeline on every request.
 * <p>
 * The body is guarded too, since a request forwarded while its body still streams in must
 * never reach an instance as complete unless the client completed it. A body that stalls
 * for the body timeout (while the gateway is reading: time spent with reading paused,
 * because the instance is slow to take the bytes, is not the client's) and a chunk that
 * does not decode fail the request's body with a {@link ClientBodyException} (408 and
 * 400): the upstream request is aborted mid-body, the web layer answers the problem, the
 * connection is closed after it, and nothing is charged to the instance. Reactor Netty
 * alone would end a body at a bad chunk as if it were complete, and would answer an empty
 * 400 on a response that had already started.
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

	static final RawProblem BAD_LENGTH = new RawProblem(400, "Bad Request",
			"The request has more than one Content-Length; its body cannot be framed safely.");

	static final RawProblem BAD_FORWARDED_HOST = new RawProblem(400, "Bad Request",
			"X-Forwarded-Host is not a list of host names.");

	static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

	static final RawProblem METHOD_NOT_ALLOWED = new RawProblem(405, "Method Not Allowed",
			"CONNECT and TRACE are not served by this gateway.", "Allow: " + ALLOWED_METHODS);

	static final RawProblem METHOD_NOT_IMPLEMENTED = new RawProblem(501, "Not Implemented",
			"This gateway serves the methods " + ALLOWED_METHODS + ".");

	/**
	 * How long a refused client may take to read the answer before the connection closes.
	 */
	private static final long LINGER_MILLIS = 2000;

	/** Lower case, as HTTP/2 names it; HTTP/1.1's headers match it in any case. */
	private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

	private final long timeoutNanos;

	private final long bodyTimeoutNanos;

	private final long idleTimeoutNanos;

	private final Bytes bytes = new Bytes();

	private final Requests requests = new Requests();

	private final Recheck recheck = new Recheck(this::check);

	private ChannelHandlerContext head;

	private boolean awaitingHead;

	/** Whether any byte of the awaited head has arrived. */
	private boolean headStarted;

	private long deadline;

	/** Requests decoded and not yet answered in full (more than one when pipelined). */
	private int unanswered;

	private boolean refused;

	/**
	 * A refusal of a pipelined request, written once the requests before it are answered:
	 * answers go out in order.
	 */
	private @Nullable RawProblem deferred;

	private ChannelHandlerContext decoded;

	/** A request's head was decoded and its last content was not. */
	private boolean readingBody;

	private long bodyReadAt;

	/** A body failed: the connection closes once its answer is written. */
	private boolean closeAfterAnswer;

	/** Every request was answered and no byte of another has come. */
	private boolean idle;

	private long idleSince;

	/**
	 * The connection switched protocols (a WebSocket, or HTTP/2 by prior knowledge): no
	 * HTTP/1.1 left to guard.
	 */
	private boolean upgraded;

	RequestHeadGuard(long timeoutNanos, long bodyTimeoutNanos, long idleTimeoutNanos) {
		this.timeoutNanos = timeoutNanos;
		this.bodyTimeoutNanos = bodyTimeoutNanos;
		this.idleTimeoutNanos = idleTimeoutNanos;
	}

	/** The handler to place before the HTTP codec. */
	ChannelInboundHandlerAdapter bytes() {
		return this.bytes;
	}

	/** The handler to place right after the HTTP codec. */
	ChannelDuplexHandler requests() {
		return this.requests;
	}

	/**
	 * Start timing a connection whose protocol was settled after it opened (by ALPN): the
	 * guard was not there to see it open.
	 */
	void start() {
		awaitHead(false);
	}

	/**
	 * Stop guarding a connection that turned out to speak HTTP/2: its own guard takes
	 * over.
	 */
	void stop() {
		this.upgraded = true;
	}

	private void awaitHead(boolean started) {
		this.idle = false;
		this.awaitingHead = true;
		this.headStarted = started;
		this.deadline = System.nanoTime() + this.timeoutNanos;
		schedule(this.timeoutNanos);
	}

	private void schedule(long delayNanos) {
		this.recheck.within(this.head.executor(), delayNanos);
	}

	private void check() {
		if (this.refused || this.upgraded || !this.head.channel().isActive()) {
			return;
		}
		if (this.awaitingHead) {
			checkHead();
		}
		else if (this.readingBody) {
			checkBody();
		}
		else if (this.idle) {
			checkIdle();
		}
	}

	private void startIdle() {
		this.idle = true;
		this.idleSince = System.nanoTime();
		schedule(this.idleTimeoutNanos);
	}

	private void checkIdle() {
		long left = this.idleSince + this.idleTimeoutNanos - System.nanoTime();
		if (left > 0) {
			schedule(left);
			return;
		}
		this.head.close();
	}

	private void checkHead() {
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
		refuseInTurn(TIMEOUT);
	}

	/** Refuse now, or after the answers still owed to earlier requests. */
	private void refuseInTurn(RawProblem problem) {
		if (this.unanswered == 0) {
			refuse(problem);
			return;
		}
		this.refused = true;
		this.awaitingHead = false;
		this.deferred = problem;
	}

	private void checkBody() {
		long now = System.nanoTime();
		if (!this.head.channel().config().isAutoRead()) {
			// reading is paused because the request's reader (the upstream) is behind
			this.bodyReadAt = now;
		}
		long left = this.bodyReadAt + this.bodyTimeoutNanos - now;
		if (left > 0) {
			schedule(left);
			return;
		}
		failBody(ClientBodyException.stalled(this.bodyTimeoutNanos));
	}

	private void startBody() {
		this.readingBody = true;
		this.bodyReadAt = System.nanoTime();
		schedule(this.bodyTimeoutNanos);
	}

	/**
	 * The body cannot be completed: its reader (the request to the instance) fails with
	 * the client's error, and the connection closes after the answer. A request already
	 * answered has nobody to fail: its connection just closes.
	 */
	private void failBody(ClientBodyException failure) {
		this.readingBody = false;
		if (logger.isDebugEnabled()) {
			logger
				.debug("Request body from " + this.head.channel().remoteAddress() + " failed: " + failure.getReason());
		}
		if (this.unanswered == 0) {
			closeGracefully(this.head.channel());
			return;
		}
		this.closeAfterAnswer = true;
		this.decoded.fireExceptionCaught(failure);
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
		this.head.writeAndFlush(problem.response())
			.addListener((ChannelFutureListener) (written) -> closeGracefully(written.channel()));
	}

	private static void closeGracefully(Channel channel) {
		if (channel instanceof DuplexChannel duplex) {
			duplex.shutdownOutput();
			duplex.eventLoop().schedule(() -> duplex.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
		}
		else {
			channel.close();
		}
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
		RawProblem method = refusalOfMethod(request.method().name());
		if (method != null) {
			return method;
		}
		if (!isRequestTarget(request.uri())) {
			return BAD_TARGET;
		}
		Iterator<String> lengths = request.headers().valueStringIterator(HttpHeaderNames.CONTENT_LENGTH);
		if ((lengths.hasNext() && (lengths.next().indexOf(',') >= 0 || lengths.hasNext()))
				|| (request.headers() instanceof LengthFoldingHeaders headers && headers.foldedContentLengths())) {
			return BAD_LENGTH;
		}
		String forwardedHost = request.headers().get(X_FORWARDED_HOST);
		if (forwardedHost != null && !isHostList(forwardedHost)) {
			return BAD_FORWARDED_HOST;
		}
		Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
		if (!hosts.hasNext()) {
			return (version == HttpVersion.HTTP_1_1) ? BAD_HOST : null;
		}
		String host = hosts.next();
		return (hosts.hasNext() || !isHost(host)) ? BAD_HOST : null;
	}

	/**
	 * Why the head of an HTTP/2 request is refused, if it is: the checks of an HTTP/1.1
	 * head that its framing leaves to be made (sizes, method, target,
	 * {@code X-Forwarded-Host}, {@code :authority} or else one {@code Host}); Netty's
	 * HTTP/2 codec has refused malformed headers, connection-specific ones and unequal
	 * lengths already.
	 * @param headers the head
	 * @param maxTargetLength the longest {@code :path}, HTTP/1.1's request line limit
	 * @param maxHeaderSize the most header bytes, counted as HTTP/1.1 lines would hold
	 * them ({@code name: value}), so that a head refused over one protocol is refused
	 * over the other
	 * @return the problem to answer, or null
	 */
	static @Nullable RawProblem refusalOf(Http2Headers headers, int maxTargetLength, int maxHeaderSize) {
		CharSequence path = headers.path();
		if (path != null && path.length() > maxTargetLength) {
			return LINE_TOO_LONG;
		}
		long size = 0;
		for (Map.Entry<CharSequence, CharSequence> header : headers) {
			if (!Http2Headers.PseudoHeaderName.hasPseudoHeaderFormat(header.getKey())) {
				size += header.getKey().length() + 2 + header.getValue().length();
			}
		}
		if (size > maxHeaderSize) {
			return HEADERS_TOO_LARGE;
		}
		CharSequence method = headers.method();
		if (method == null) {
			return MALFORMED;
		}
		RawProblem refusal = refusalOfMethod(method.toString());
		if (refusal != null) {
			return refusal;
		}
		if (path == null || !isRequestTarget(path.toString())) {
			return BAD_TARGET;
		}
		CharSequence forwardedHost = headers.get(X_FORWARDED_HOST);
		if (forwardedHost != null && !isHostList(forwardedHost.toString())) {
			return BAD_FORWARDED_HOST;
		}
		CharSequence authority = headers.authority();
		if (authority == null) {
			List<CharSequence> hosts = headers.getAll(HttpHeaderNames.HOST);
			authority = (hosts.size() == 1) ? hosts.get(0) : null;
		}
		return (authority != null && isHost(authority.toString())) ? null : BAD_HOST;
	}

	/**
	 * The methods proxied are the ones REST and browsers use: {@code CONNECT} (a tunnel)
	 * and {@code TRACE} (reflects credentials) are refused, any other token is unknown.
	 */
	private static @Nullable RawProblem refusalOfMethod(String method) {
		return switch (method) {
			case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" -> null;
			case "CONNECT", "TRACE" -> METHOD_NOT_ALLOWED;
			default -> METHOD_NOT_IMPLEMENTED;
		};
	}

	/**
	 * {@code X-Forwarded-Host} as proxies write it: one host, or several comma-separated.
	 */
	static boolean isHostList(String value) {
		int start = 0;
		while (true) {
			int comma = value.indexOf(',', start);
			int end = (comma >= 0) ? comma : value.length();
			if (!isHost(value.substring(start, end).strip())) {
				return false;
			}
			if (comma < 0) {
				return true;
			}
			start = comma + 1;
		}
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

	/**
	 * {@code host[:port]}: a DNS name or IPv4 address, or a bracketed IPv6 literal; a
	 * port, when there is a colon, of one to five digits.
	 */
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
				// DNS names and IPv4 addresses: RFC 3986 allows sub-delimiters in a
				// reg-name, but a host with ; , = or quotes is how Forwarded headers
				// are forged
				boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
						|| c == '.' || c == '_' || c == '~';
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
		if (value.charAt(i) != ':' || length - i - 1 > 5 || i + 1 == length) {
			return false;
		}
		for (int p = i + 1; p < length; p++) {
			if (value.charAt(p) < '0' || value.charAt(p) > '9') {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether a body follows the head (RFC 9112, section 6.3): a bodyless GET costs no
	 * check.
	 */
	private static boolean hasBody(HttpRequest request) {
		return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
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
			if (msg instanceof ByteBuf && !RequestHeadGuard.this.upgraded) {
				if (RequestHeadGuard.this.awaitingHead) {
					RequestHeadGuard.this.headStarted = true;
				}
				else if (!RequestHeadGuard.this.readingBody) {
					// a new request starts, maybe pipelined behind one still in progress
					awaitHead(true);
				}
			}
			ctx.fireChannelRead(msg);
		}

	}

	private final class Requests extends ChannelDuplexHandler {

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			RequestHeadGuard.this.decoded = ctx;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (RequestHeadGuard.this.refused) {
				// the rest of what a refused request sent in the same read
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpContent content && RequestHeadGuard.this.readingBody) {
				if (content.decoderResult().isFailure()) {
					// not passed on: Reactor Netty would end the body here, complete
					ReferenceCountUtil.release(msg);
					failBody(ClientBodyException.malformed());
					return;
				}
				RequestHeadGuard.this.bodyReadAt = System.nanoTime();
				if (msg instanceof LastHttpContent) {
					RequestHeadGuard.this.readingBody = false;
				}
			}
			if (msg instanceof HttpRequest request) {
				RawProblem refusal = refusalOf(request);
				if (refusal != null) {
					if (logger.isDebugEnabled()) {
						logger.debug("Refused a request from " + ctx.channel().remoteAddress() + " with "
								+ refusal.status() + ": " + request.decoderResult());
					}
					ReferenceCountUtil.release(msg);
					refuseInTurn(refusal);
					return;
				}
				RequestHeadGuard.this.awaitingHead = false;
				RequestHeadGuard.this.unanswered++;
				if (!(msg instanceof LastHttpContent) && hasBody(request)) {
					startBody();
				}
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof HttpResponse response) {
				if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
					RequestHeadGuard.this.upgraded = true;
				}
				else if (RequestHeadGuard.this.closeAfterAnswer && !isInformational(msg)) {
					HttpUtil.setKeepAlive(response, false);
				}
			}
			if (msg instanceof LastHttpContent && !isInformational(msg) && RequestHeadGuard.this.unanswered > 0) {
				RequestHeadGuard.this.unanswered--;
				RawProblem deferred = RequestHeadGuard.this.deferred;
				if (deferred != null && RequestHeadGuard.this.unanswered == 0) {
					ctx.write(msg, promise);
					RequestHeadGuard.this.head.writeAndFlush(deferred.response())
						.addListener((ChannelFutureListener) (written) -> closeGracefully(written.channel()));
					return;
				}
				if (RequestHeadGuard.this.closeAfterAnswer) {
					// more of a failed body may be on its way: shut output, read it off
					ctx.write(msg, promise)
						.addListener((ChannelFutureListener) (written) -> closeGracefully(written.channel()));
					return;
				}
				if (RequestHeadGuard.this.unanswered == 0 && !RequestHeadGuard.this.awaitingHead
						&& !RequestHeadGuard.this.readingBody) {
					if (DecoderBacklog.isPending(ctx.pipeline().get(NettyPipeline.HttpCodec))) {
						// a next head came with the request just answered: timed from now
						awaitHead(true);
					}
					else {
						startIdle();
					}
				}
			}
			ctx.write(msg, promise);
		}

		private static boolean isInformational(Object msg) {
			return msg instanceof HttpResponse response
					&& response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
		}

	}

}
