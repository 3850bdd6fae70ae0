package io.clusterkit.gateway.limits;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * A request body the client did not complete: it stalled, or a chunk did not decode. It
 * fails the body's reader, so the upstream request is aborted mid-body instead of ending
 * as a complete, shorter request; the web layer answers it as a problem. The client's
 * doing, so it is never charged to an instance.
 *
 * @author clusterkit
 */
public final class ClientBodyException extends Refusal {

	private ClientBodyException(HttpStatus status, String reason) {
		super(status, reason);
	}

	static ClientBodyException stalled(long timeoutNanos) {
		return new ClientBodyException(HttpStatus.REQUEST_TIMEOUT, "The request body stalled: no byte arrived for "
				+ Duration.ofNanos(timeoutNanos).toMillis() + " ms. The request was not forwarded as complete.");
	}

	static ClientBodyException malformed() {
		return new ClientBodyException(HttpStatus.BAD_REQUEST,
				"The request body is not valid chunked encoding. The request was not forwarded as complete.");
	}

}
