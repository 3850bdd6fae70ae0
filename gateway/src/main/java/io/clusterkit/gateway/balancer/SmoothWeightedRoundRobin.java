package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * nginx's smooth weighted round robin: each step adds every endpoint's weight to its
 * current value, chooses the largest (the first on ties) and subtracts the total weight
 * from it. Weights {5, 1, 1} give a, a, b, a, c, a, a: interleaved, not five a's in a
 * row, and exact proportions over every full cycle.
 * <p>
 * nginx runs this step under its worker's single thread; here the cycle is computed once
 * per pool (O(total weight) time and memory, weights first reduced by their GCD) and each
 * pick is one atomic increment into it, so the hot path takes no lock. Load-blind: use it
 * for instances of different sizes serving uniform requests.
 * <p>
 * Plain round robin is this over equal weights (as in nginx): the cycle is then the pool
 * in order, one atomic increment per pick, and the rotation carries on when instances
 * come and go; slow start still applies through the ramping weights.
 *
 * @author clusterkit
 */
final class SmoothWeightedRoundRobin implements Balancer {

	/**
	 * The longest cycle computed: above it, weights are scaled down to fit, within 1 of
	 * their proportion. Only slow start ramping many large, pairwise coprime weights
	 * reaches it.
	 */
	static final int MAX_CYCLE = 1 << 16;

	private final AtomicInteger position = new AtomicInteger();

	@Override
	public int pick(Pool pool) {
		int[] schedule = pool.smoothSchedule();
		int pos = this.position.getAndIncrement() & Integer.MAX_VALUE;
		return schedule[pos % schedule.length];
	}

	static int[] schedule(int[] weights) {
		int divisor = 0;
		for (int weight : weights) {
			divisor = gcd(divisor, weight);
		}
		long sum = 0;
		for (int weight : weights) {
			sum += weight / divisor;
		}
		int total = 0;
		int[] reduced = new int[weights.length];
		for (int i = 0; i < weights.length; i++) {
			long weight = weights[i] / divisor;
			reduced[i] = (int) ((sum <= MAX_CYCLE) ? weight : Math.max(1, weight * MAX_CYCLE / sum));
			total += reduced[i];
		}
		int[] current = new int[weights.length];
		int[] schedule = new int[total];
		for (int step = 0; step < total; step++) {
			int best = 0;
			for (int i = 0; i < reduced.length; i++) {
				current[i] += reduced[i];
				if (current[i] > current[best]) {
					best = i;
				}
			}
			current[best] -= total;
			schedule[step] = best;
		}
		return schedule;
	}

	private static int gcd(int a, int b) {
		return (b == 0) ? a : gcd(b, a % b);
	}

}
