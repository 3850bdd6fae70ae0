package io.clusterkit.gateway.limits;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * A complete HTTP/1.1 problem+json response for the failures answered below the web layer
 * (malformed or too slow requests), built once: such answers must cost an attacker more
 * than they cost the gateway. Over HTTP/1.1 always {@code Connection: close}: after a
 * request the gateway could not read, nothing else on the connection can be trusted to be
 * framed. HTTP/2 frames every stream apart, so there it ends the one stream.
 *
 * @author clusterkit
 */
final class RawProblem {

	private static final AsciiString PROBLEM_JSON = AsciiString.cached("application/problem+json");

	private final int status;

	private final ByteBuf bytes;

	private final ByteBuf content;

	private final @Nullable String extraHeader;

	RawProblem(int status, String reason, String detail) {
		this(status, reason, detail, null);
	}

	/**
	 * A problem response.
	 * @param extraHeader one more header line, such as {@code Allow: GET}, or null
	 */
	RawProblem(int status, String reason, String detail, @Nullable String extraHeader) {
		this.status = status;
		String body = "{\"title\":\"" + reason + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
		byte[] content = body.getBytes(StandardCharsets.UTF_8);
		String head = "HTTP/1.1 " + status + " " + reason + "\r\n" + "Content-Type: application/problem+json\r\n"
				+ "Content-Length: " + content.length + "\r\n" + ((extraHeader != null) ? extraHeader + "\r\n" : "")
				+ "Connection: close\r\n\r\n";
		this.bytes = Unpooled
			.unreleasableBuffer(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), content).asReadOnly());
		this.content = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(content).asReadOnly());
		this.extraHeader = extraHeader;
	}

	int status() {
		return this.status;
	}

	/**
	 * The same answer on one HTTP/2 stream: its headers, then {@link #content()}; the
	 * connection goes on serving its other streams.
	 */
	Http2Headers http2Headers() {
		Http2Headers headers = new DefaultHttp2Headers().status(Integer.toString(this.status))
			.set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, this.content.readableBytes());
		if (this.extraHeader != null) {
			int colon = this.extraHeader.indexOf(':');
			headers.set(AsciiString.of(this.extraHeader.substring(0, colon)).toLowerCase(),
					this.extraHeader.substring(colon + 1).strip());
		}
		return headers;
	}

	/** The problem document alone, to write once. */
	ByteBuf content() {
		return this.content.duplicate();
	}

	/** The response, to write once: a view sharing the bytes built at start-up. */
	ByteBuf response() {
		return this.bytes.duplicate();
	}

}
