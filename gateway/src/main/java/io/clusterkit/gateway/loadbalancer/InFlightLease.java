package io.clusterkit.gateway.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.jspecify.annotations.Nullable;

/**
 * One proxied request's claim on the in-flight count of the instance it was sent to.
 * Acquired by the balancer at the moment it picks, moved when a retry picks another
 * instance (the earlier ones are remembered, so the retry goes elsewhere), and released
 * exactly once when the request ends, however it ends: the invariant every
 * least-connections decision rests on.
 *
 * @author clusterkit
 */
final class InFlightLease {

	static final String ATTRIBUTE = InFlightLease.class.getName();

	private static final Endpoint RELEASED = new Endpoint("released", 0, 1);

	private final AtomicReference<Endpoint> held = new AtomicReference<>();

	private final EndpointRegistry registry;

	private volatile long pickedAt;

	/** Instances this request was sent to before: a retry goes elsewhere. */
	private volatile List<Endpoint> tried = List.of();

	InFlightLease(EndpointRegistry registry) {
		this.registry = registry;
	}

	static @Nullable InFlightLease from(Map<String, Object> attributes) {
		return (attributes != null) ? (InFlightLease) attributes.get(ATTRIBUTE) : null;
	}

	void acquire(Endpoint endpoint) {
		endpoint.acquire();
		this.pickedAt = this.registry.nanoTime();
		Endpoint previous = this.held.getAndSet(endpoint);
		if (previous == RELEASED) {
			// the request ended while this pick was under way: nothing will release it
			// later
			this.held.set(RELEASED);
			endpoint.release();
		}
		else if (previous != null) {
			// a request is only sent again when its attempt on the previous instance
			// failed
			previous.release();
			this.registry.recordOutcome(previous, false);
			List<Endpoint> before = new ArrayList<>(this.tried);
			before.add(previous);
			this.tried = before;
		}
	}

	/**
	 * Every instance this request was sent to, the current one included: where a retry
	 * must not go. Allocates only when there is something to exclude.
	 * @return the instances, empty on a first attempt
	 */
	List<Endpoint> excluded() {
		Endpoint current = this.held.get();
		if (current == null || current == RELEASED) {
			return this.tried;
		}
		List<Endpoint> excluded = new ArrayList<>(this.tried);
		excluded.add(current);
		return excluded;
	}

	/**
	 * The response started: its latency, from the pick, feeds the instance's estimate.
	 */
	void responseStarted() {
		Endpoint endpoint = this.held.get();
		if (endpoint != null && endpoint != RELEASED) {
			this.registry.observeLatency(endpoint, this.pickedAt);
		}
	}

	void release(Outcome outcome) {
		Endpoint endpoint = this.held.getAndSet(RELEASED);
		if (endpoint != null && endpoint != RELEASED) {
			endpoint.release();
			if (outcome != Outcome.UNKNOWN) {
				this.registry.recordOutcome(endpoint, outcome == Outcome.SUCCESS);
			}
		}
	}

	/** What a request's end says of the instance that served it. */
	enum Outcome {

		/** It answered below 500. */
		SUCCESS,

		/** It failed the connection or answered 5xx. */
		FAILURE,

		/** Nothing: the client left first, or a WebSocket closed. */
		UNKNOWN

	}

}
