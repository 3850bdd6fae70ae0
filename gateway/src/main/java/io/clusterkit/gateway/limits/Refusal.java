package io.clusterkit.gateway.limits;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request the gateway refuses on purpose, answered as a problem with its status and
 * reason, and {@code Retry-After} when waiting helps. Refusals come by the thousand under
 * abuse, so they carry no stack trace: there is nothing to debug in one.
 *
 * @author clusterkit
 */
public class Refusal extends ResponseStatusException {

	private final HttpHeaders headers;

	/**
	 * A refusal nobody should retry as it is.
	 * @param status the status
	 * @param reason the detail the client reads
	 */
	public Refusal(HttpStatus status, String reason) {
		this(status, reason, 0);
	}

	/**
	 * A refusal to retry after a while.
	 * @param status the status
	 * @param reason the detail the client reads
	 * @param retryAfterSeconds {@code Retry-After}, in seconds; 0 for none
	 */
	public Refusal(HttpStatus status, String reason, long retryAfterSeconds) {
		super(status, reason);
		this.headers = (retryAfterSeconds > 0) ? retryAfter(retryAfterSeconds) : HttpHeaders.EMPTY;
	}

	@Override
	public HttpHeaders getHeaders() {
		return this.headers;
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

	private static HttpHeaders retryAfter(long seconds) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		return HttpHeaders.readOnlyHttpHeaders(headers);
	}

}
