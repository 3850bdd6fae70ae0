package io.clusterkit.gateway.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.LoadReport;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;

/**
 * One proxied request's attempts, and the protocol the steps of a request speak about
 * them, each call explicit:
 * <ol>
 * <li>the balancer {@linkplain #begin begins} an attempt as it picks: the instance's
 * in-flight count is claimed at once, so the next pick, on any thread, sees it;</li>
 * <li>the routing filter marks the whole request {@linkplain #requestSent sent} and the
 * response {@linkplain #responseStarted started}: the time between is the instance's
 * latency (a slow upload is the client's time), the span the response timeout
 * covers;</li>
 * <li>the retry filter {@linkplain #endForRetry ends} an attempt it will send again, with
 * the failure it saw; the instances tried are left out of the next pick;</li>
 * <li>the accounting filter {@linkplain #end ends} the last one when the request ends,
 * however it ends.</li>
 * </ol>
 * Each attempt releases its in-flight count exactly once, the invariant every
 * least-connections decision rests on, and ends with one verdict from {@link Blame}.
 *
 * @author clusterkit
 */
public final class Attempts {

	static final String ATTRIBUTE = Attempts.class.getName();

	private static final Endpoint ENDED = new Endpoint("ended", 0, 1);

	private static final long NOT_SENT = Long.MIN_VALUE;

	private final AtomicReference<Endpoint> current = new AtomicReference<>();

	private final EndpointRegistry registry;

	private volatile long sentAt = NOT_SENT;

	/**
	 * This gateway's in-flight count to the current attempt's instance when it was
	 * picked, that attempt included: what the instance's load report is compared with.
	 */
	private volatile int ownAtSend;

	/** Instances this request was sent to before: a retry goes elsewhere. */
	private volatile List<Endpoint> tried = List.of();

	/** The current attempt's instance asked for fewer requests: its 5xx is no failure. */
	private volatile boolean throttled;

	Attempts(EndpointRegistry registry) {
		this.registry = registry;
	}

	static @Nullable Attempts from(Map<String, Object> attributes) {
		return (attributes != null) ? (Attempts) attributes.get(ATTRIBUTE) : null;
	}

	/**
	 * The attempts of a request the gateway proxies.
	 * @param exchange the request
	 * @return its attempts, or null when it is not proxied to a balanced service
	 */
	public static @Nullable Attempts of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	void begin(Endpoint endpoint) {
		this.ownAtSend = endpoint.acquire();
		this.sentAt = NOT_SENT;
		Endpoint previous = this.current.getAndSet(endpoint);
		if (previous == ENDED) {
			// the request ended while this pick was under way: nothing will end it later
			this.current.set(ENDED);
			endpoint.release();
		}
		else if (previous != null) {
			// begun again without an end: a verdict nobody gave is no verdict
			close(previous, Outcome.UNKNOWN);
			remember(previous);
		}
	}

	/**
	 * The instance of the current attempt.
	 * @return it, or null before the first attempt and after the last one ended
	 */
	public @Nullable Endpoint current() {
		Endpoint endpoint = this.current.get();
		return (endpoint != ENDED) ? endpoint : null;
	}

	/**
	 * The current attempt's instance answered 429 or 503 with {@code Retry-After}: it
	 * asks for fewer requests, which is no failure (its weight is cut instead, see
	 * {@link EndpointRegistry#throttle}).
	 * @param forNanos how long it asked for
	 */
	public void throttled(long forNanos) {
		Endpoint endpoint = current();
		if (endpoint != null) {
			this.throttled = true;
			this.registry.throttle(endpoint, forNanos);
		}
	}

	/**
	 * The current attempt's instance reported its load with its answer.
	 * @param report what it reported
	 */
	public void reported(LoadReport report) {
		Endpoint endpoint = current();
		if (endpoint != null) {
			this.registry.reportLoad(endpoint, report, this.ownAtSend);
		}
	}

	/** The whole request was sent to the current attempt's instance. */
	public void requestSent() {
		this.sentAt = this.registry.nanoTime();
	}

	/**
	 * The current attempt's instance started its response: the time since the whole
	 * request was sent is its latency. A response that starts before the request was all
	 * sent (an early refusal) says nothing of it.
	 */
	public void responseStarted() {
		long sent = this.sentAt;
		Endpoint endpoint = this.current.get();
		if (sent != NOT_SENT && endpoint != null && endpoint != ENDED) {
			this.registry.observeLatency(endpoint, this.registry.nanoTime() - sent);
		}
	}

	/**
	 * End the current attempt, which the caller will send again elsewhere.
	 * @param error how it failed, or null when it answered
	 * @param status its answer's status, when it answered
	 */
	public void endForRetry(@Nullable Throwable error, @Nullable HttpStatusCode status) {
		Endpoint endpoint = this.current.get();
		if (endpoint == null || endpoint == ENDED || !this.current.compareAndSet(endpoint, null)) {
			return;
		}
		close(endpoint, (error != null) ? Blame.ofError(error, true) : Blame.ofAnswer(status));
		remember(endpoint);
	}

	/**
	 * Every instance this request was sent to, the current one included: where a retry
	 * must not go. Allocates only when there is something to exclude.
	 * @return the instances, empty on a first attempt
	 */
	List<Endpoint> excluded() {
		Endpoint endpoint = this.current.get();
		if (endpoint == null || endpoint == ENDED) {
			return this.tried;
		}
		List<Endpoint> excluded = new ArrayList<>(this.tried);
		excluded.add(endpoint);
		return excluded;
	}

	/**
	 * The request ended: so does its last attempt.
	 * @param outcome the verdict on it
	 */
	void end(Outcome outcome) {
		Endpoint endpoint = this.current.getAndSet(ENDED);
		if (endpoint != null && endpoint != ENDED) {
			close(endpoint, outcome);
		}
	}

	private void close(Endpoint endpoint, Outcome outcome) {
		endpoint.release();
		Outcome verdict = outcome;
		if (this.throttled) {
			this.throttled = false;
			verdict = (verdict == Outcome.FAILURE) ? Outcome.UNKNOWN : verdict;
		}
		if (verdict != Outcome.UNKNOWN) {
			this.registry.recordOutcome(endpoint, verdict == Outcome.SUCCESS);
		}
	}

	private void remember(Endpoint endpoint) {
		List<Endpoint> before = new ArrayList<>(this.tried);
		before.add(endpoint);
		this.tried = before;
	}

	/** What an attempt's end says of the instance that served it. */
	enum Outcome {

		/** It answered below 500. */
		SUCCESS,

		/** It failed the connection or answered 5xx. */
		FAILURE,

		/** Nothing: the client left first, or a WebSocket closed. */
		UNKNOWN

	}

}
