package io.clusterkit.gateway.balancer;

import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: draw two distinct endpoints at random, each with probability
 * proportional to its weight, and take the cheaper. With in-flight requests as the cost
 * ({@link Endpoint#load()}: this gateway's, plus other gateways' as reported) this is
 * Envoy's {@code LEAST_REQUEST} default; with {@link PeakEwmaCost} it is the
 * latency-aware balancer of Finagle and Linkerd.
 * <p>
 * Cost: two random draws (O(log n) each when weights differ) and two cost reads, whatever
 * the pool size. Trade-off against a full least-connections scan: it never picks the
 * busier of its two, yet avoids the herd behaviour of many gateways all choosing the one
 * global minimum at once, and its randomness needs no shared rotation state.
 *
 * @author clusterkit
 */
final class PowerOfTwoChoices implements Balancer {

	private final RandomGenerator random;

	private final Cost cost;

	private PowerOfTwoChoices(RandomGenerator random, Cost cost) {
		this.random = random;
		this.cost = cost;
	}

	static PowerOfTwoChoices leastRequest(RandomGenerator random) {
		return new PowerOfTwoChoices(random, PowerOfTwoChoices::fewerInFlight);
	}

	static PowerOfTwoChoices peakEwma(RandomGenerator random, LongSupplier nanoClock) {
		return new PowerOfTwoChoices(random, new PeakEwmaCost(nanoClock));
	}

	@Override
	public int pick(Pool pool) {
		if (pool.size() == 1) {
			return 0;
		}
		int first = pool.sample(this.random);
		int second = pool.sampleOther(this.random, first);
		return this.cost.cheaper(pool, second, first) ? second : first;
	}

	/**
	 * Whether {@code (inFlight + 1) / weight} of {@code a} is strictly below that of
	 * {@code b}.
	 * @param pool the pool
	 * @param a an index
	 * @param b another index
	 * @return true when {@code a} is less loaded for its weight
	 */
	static boolean fewerInFlight(Pool pool, int a, int b) {
		return (pool.get(a).load() + 1L) * pool.weight(b) < (pool.get(b).load() + 1L) * pool.weight(a);
	}

	/** Compares two endpoints of a pool. */
	@FunctionalInterface
	interface Cost {

		/**
		 * Whether {@code a} is strictly cheaper than {@code b}; on a tie the first draw
		 * is kept.
		 * @param pool the pool
		 * @param a an index
		 * @param b another index
		 * @return true when {@code a} should be taken over {@code b}
		 */
		boolean cheaper(Pool pool, int a, int b);

	}

}
