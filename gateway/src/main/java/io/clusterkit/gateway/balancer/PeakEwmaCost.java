package io.clusterkit.gateway.balancer;

import java.util.function.LongSupplier;

/**
 * Peak EWMA cost (Finagle, Linkerd): latency estimate × (in flight + 1) / weight. The
 * estimate (see {@link Endpoint#latencyEstimate(long)}) jumps to a new peak at once and
 * decays with a time constant, so one slow instance is shunned within a response or two,
 * probed again about once per time constant, and given its share back once it answers
 * fast. This is what plain least-connections lacks: a slow instance with little in flight
 * still looks attractive to it, and receives enough requests to own the tail latency.
 * <p>
 * An endpoint not yet observed (new, or never picked) has no estimate; it is neither
 * favoured nor penalized: the two are compared by load alone, so it joins on equal terms
 * and gets its own estimate from its first response.
 *
 * @author clusterkit
 */
final class PeakEwmaCost implements PowerOfTwoChoices.Cost {

	private final LongSupplier nanoClock;

	PeakEwmaCost(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	@Override
	public boolean cheaper(Pool pool, int a, int b) {
		long now = this.nanoClock.getAsLong();
		double latencyA = pool.get(a).latencyEstimate(now);
		double latencyB = pool.get(b).latencyEstimate(now);
		if (latencyA < 0 || latencyB < 0) {
			return PowerOfTwoChoices.fewerInFlight(pool, a, b);
		}
		double costA = latencyA * (pool.get(a).inFlight() + 1) * pool.weight(b);
		double costB = latencyB * (pool.get(b).inFlight() + 1) * pool.weight(a);
		return costA < costB;
	}

}
