package io.clusterkit.gateway.limits;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * A complete HTTP/1.1 problem+json response for the failures answered below the web layer
 * (malformed or too slow requests), built once: such answers must cost an attacker more
 * than they cost the gateway. Always {@code Connection: close}: after a request the
 * gateway could not read, nothing else on the connection can be trusted to be framed.
 *
 * @author clusterkit
 */
final class RawProblem {

	private final int status;

	private final ByteBuf bytes;

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
	}

	int status() {
		return this.status;
	}

	/** The response, to write once: a view sharing the bytes built at start-up. */
	ByteBuf response() {
		return this.bytes.duplicate();
	}

}
