package io.clusterkit.gateway.balancer;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An immutable snapshot of the endpoints eligible for a pick (weight above 0), with the
 * weight arithmetic every algorithm shares; its weights come from a {@link Weighting}.
 * Built once per change of the instance list, of a state or a weight, and per slow-start
 * step, never per request. Balancers answer with an index into it, so the caller maps the
 * pick back to its own instance type without a lookup.
 *
 * @author clusterkit
 */
public final class Pool {

	private static final Pool EMPTY = new Pool(new Endpoint[0], new int[0], new Object[0], false);

	private final Endpoint[] endpoints;

	private final Object[] tags;

	private final int[] weights;

	/** cumulative[i] = sum of weights[0..i]; for weighted sampling by binary search. */
	private final int[] cumulative;

	private final boolean uniform;

	private final boolean ramping;

	private volatile int[] smoothSchedule;

	private Pool(Endpoint[] endpoints, int[] weights, Object[] tags, boolean ramping) {
		this.endpoints = endpoints;
		this.tags = tags;
		this.weights = weights;
		this.ramping = ramping;
		this.cumulative = new int[weights.length];
		int sum = 0;
		boolean same = true;
		for (int i = 0; i < weights.length; i++) {
			sum += weights[i];
			this.cumulative[i] = sum;
			same &= weights[i] == weights[0];
		}
		this.uniform = same;
	}

	/**
	 * Snapshot the endpoints that may receive new requests, with their configured weights
	 * and no slow start.
	 * @param candidates the instances now known
	 * @return the pool, possibly empty
	 */
	public static Pool of(List<Endpoint> candidates) {
		return of(candidates, candidates, Weighting.CONFIGURED, 0);
	}

	/**
	 * Snapshot the endpoints that may receive new requests: DOWN, ejected, draining,
	 * departed and weight-0 ones are left out, and each weight is computed once, so one
	 * pick sees one consistent set. Each endpoint comes with a tag the caller maps a pick
	 * back to (its own instance object), kept aligned through the filtering.
	 * @param candidates the instances now known
	 * @param tags one tag per candidate, in the same order
	 * @param weighting how weights are made
	 * @param nowNanos the clock now, for slow start
	 * @return the pool, possibly empty
	 */
	public static Pool of(List<Endpoint> candidates, List<?> tags, Weighting weighting, long nowNanos) {
		int eligible = 0;
		boolean ramping = false;
		int[] weights = new int[candidates.size()];
		Endpoint[] endpoints = new Endpoint[candidates.size()];
		Object[] kept = new Object[candidates.size()];
		for (int i = 0; i < candidates.size(); i++) {
			Endpoint endpoint = candidates.get(i);
			int weight = weighting.weight(endpoint, nowNanos);
			if (weight > 0 && endpoint.isEligible()) {
				ramping |= weighting.isRamping(endpoint, nowNanos);
				weights[eligible] = weight;
				kept[eligible] = tags.get(i);
				endpoints[eligible++] = endpoint;
			}
		}
		if (eligible == 0) {
			return EMPTY;
		}
		return new Pool(Arrays.copyOf(endpoints, eligible), Arrays.copyOf(weights, eligible),
				Arrays.copyOf(kept, eligible), ramping);
	}

	/**
	 * This pool less some endpoints, for a retry that must go elsewhere; the others keep
	 * the weights they have here.
	 * @param excluded the endpoints to leave out
	 * @return a new pool, possibly empty
	 */
	public Pool without(Collection<Endpoint> excluded) {
		int kept = 0;
		Endpoint[] endpoints = new Endpoint[this.endpoints.length];
		int[] weights = new int[this.endpoints.length];
		Object[] tags = new Object[this.endpoints.length];
		for (int i = 0; i < this.endpoints.length; i++) {
			if (!excluded.contains(this.endpoints[i])) {
				endpoints[kept] = this.endpoints[i];
				weights[kept] = this.weights[i];
				tags[kept++] = this.tags[i];
			}
		}
		if (kept == 0) {
			return EMPTY;
		}
		return new Pool(Arrays.copyOf(endpoints, kept), Arrays.copyOf(weights, kept), Arrays.copyOf(tags, kept),
				this.ramping);
	}

	/**
	 * Whether an endpoint of this pool is still in its slow-start ramp, so the pool goes
	 * stale after one {@link Weighting#stepNanos() step}.
	 * @return true while some weight is growing
	 */
	public boolean isRamping() {
		return this.ramping;
	}

	public int size() {
		return this.endpoints.length;
	}

	public boolean isEmpty() {
		return this.endpoints.length == 0;
	}

	public Endpoint get(int index) {
		return this.endpoints[index];
	}

	/**
	 * The caller's tag of the endpoint at the index.
	 * @param index the index
	 * @return the tag given to {@link #of(List, List)}
	 */
	public Object tag(int index) {
		return this.tags[index];
	}

	/**
	 * The weight of the endpoint at the index in this pool: its configured weight (or a
	 * unit one), scaled by its slow-start ramp, as it was when the pool was built.
	 * @param index the index
	 * @return its weight, at least 1
	 */
	public int weight(int index) {
		return this.weights[index];
	}

	int totalWeight() {
		return (this.cumulative.length == 0) ? 0 : this.cumulative[this.cumulative.length - 1];
	}

	/**
	 * A random index, with probability proportional to its weight.
	 * @param random the source of randomness
	 * @return the index
	 */
	int sample(RandomGenerator random) {
		if (this.uniform) {
			return random.nextInt(this.endpoints.length);
		}
		return indexOfWeight(random.nextInt(totalWeight()));
	}

	/**
	 * A random index other than {@code excluded}, with probability proportional to its
	 * weight among the others; drawn once, never by retrying, so a dominant weight costs
	 * nothing extra.
	 * @param random the source of randomness
	 * @param excluded the index not to return
	 * @return the index; requires at least two endpoints
	 */
	int sampleOther(RandomGenerator random, int excluded) {
		if (this.uniform) {
			int other = random.nextInt(this.endpoints.length - 1);
			return (other >= excluded) ? other + 1 : other;
		}
		int before = (excluded == 0) ? 0 : this.cumulative[excluded - 1];
		int point = random.nextInt(totalWeight() - this.weights[excluded]);
		return indexOfWeight((point < before) ? point : point + this.weights[excluded]);
	}

	private int indexOfWeight(int point) {
		int low = 0;
		int high = this.cumulative.length - 1;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (this.cumulative[mid] > point) {
				high = mid;
			}
			else {
				low = mid + 1;
			}
		}
		return low;
	}

	/**
	 * nginx's smooth weighted round-robin order over one full cycle, computed once per
	 * pool (weights reduced by their greatest common divisor first, so {5,1,1} gives a
	 * cycle of 7 and {200,100} one of 3).
	 * @return the cycle, as indexes
	 */
	int[] smoothSchedule() {
		int[] schedule = this.smoothSchedule;
		if (schedule == null) {
			schedule = SmoothWeightedRoundRobin.schedule(this.weights);
			this.smoothSchedule = schedule;
		}
		return schedule;
	}

}
