package io.clusterkit.gateway.balancer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An immutable snapshot of the endpoints eligible for a pick (weight above 0), with the
 * weight arithmetic every weighted algorithm shares. Built once per change of the
 * instance list or of a weight, never per request. Balancers answer with an index into
 * it, so the caller maps the pick back to its own instance type without a lookup.
 *
 * @author clusterkit
 */
public final class Pool {

	private static final Pool EMPTY = new Pool(new Endpoint[0], new int[0], new Object[0]);

	private final Endpoint[] endpoints;

	private final Object[] tags;

	private final int[] weights;

	/** cumulative[i] = sum of weights[0..i]; for weighted sampling by binary search. */
	private final int[] cumulative;

	private final boolean uniform;

	private volatile int[] smoothSchedule;

	private Pool(Endpoint[] endpoints, int[] weights, Object[] tags) {
		this.endpoints = endpoints;
		this.tags = tags;
		this.weights = weights;
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
	 * Snapshot the endpoints that may receive new requests: DOWN, ejected and drained
	 * (weight 0) ones are left out, and each weight is read once, so one pick sees one
	 * consistent set.
	 * @param candidates the instances now known and healthy
	 * @return the pool, possibly empty
	 */
	public static Pool of(List<Endpoint> candidates) {
		return of(candidates, candidates);
	}

	/**
	 * Snapshot the eligible endpoints, each with a tag the caller maps a pick back to
	 * (its own instance object), kept aligned through the filtering.
	 * @param candidates the instances now known and healthy
	 * @param tags one tag per candidate, in the same order
	 * @return the pool, possibly empty
	 */
	public static Pool of(List<Endpoint> candidates, List<?> tags) {
		int eligible = 0;
		int[] weights = new int[candidates.size()];
		Endpoint[] endpoints = new Endpoint[candidates.size()];
		Object[] kept = new Object[candidates.size()];
		for (int i = 0; i < candidates.size(); i++) {
			int weight = candidates.get(i).weight();
			if (weight > 0 && candidates.get(i).isUp() && !candidates.get(i).isEjected()) {
				weights[eligible] = weight;
				kept[eligible] = tags.get(i);
				endpoints[eligible++] = candidates.get(i);
			}
		}
		if (eligible == 0) {
			return EMPTY;
		}
		return new Pool(Arrays.copyOf(endpoints, eligible), Arrays.copyOf(weights, eligible),
				Arrays.copyOf(kept, eligible));
	}

	/**
	 * This pool less some endpoints, for a retry that must go elsewhere.
	 * @param excluded the endpoints to leave out
	 * @return a new pool, possibly empty
	 */
	public Pool without(Collection<Endpoint> excluded) {
		List<Endpoint> kept = new ArrayList<>(this.endpoints.length);
		List<Object> keptTags = new ArrayList<>(this.endpoints.length);
		for (int i = 0; i < this.endpoints.length; i++) {
			if (!excluded.contains(this.endpoints[i])) {
				kept.add(this.endpoints[i]);
				keptTags.add(this.tags[i]);
			}
		}
		return of(kept, keptTags);
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
	 * The weight of the endpoint at the index as it was when the pool was built.
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
