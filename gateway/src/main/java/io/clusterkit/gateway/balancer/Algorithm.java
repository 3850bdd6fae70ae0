package io.clusterkit.gateway.balancer;

import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The balancing algorithms, by their configuration names.
 *
 * @author clusterkit
 */
public enum Algorithm {

	/** Rotation over the eligible instances; weights ignored. */
	ROUND_ROBIN("round-robin", false),

	/** nginx's smooth weighted round robin. */
	WEIGHTED_ROUND_ROBIN("weighted-round-robin", true),

	/** Fewest requests in flight from this gateway; ties rotate. The default. */
	LEAST_CONNECTIONS("least-connections", false),

	/**
	 * Fewest {@code (in flight + 1) / weight}; ties rotate. HAProxy's weighted leastconn.
	 */
	WEIGHTED_LEAST_CONNECTIONS("weighted-least-connections", true),

	/** The less loaded of two weighted random draws. Envoy's least request. */
	POWER_OF_TWO_CHOICES("power-of-two-choices", true),

	/**
	 * The cheaper of two weighted random draws by latency × load. Finagle's and
	 * Linkerd's.
	 */
	PEAK_EWMA("peak-ewma", true),

	/**
	 * Smooth weighted round robin over weights from the instances' load reports: requests
	 * per second per unit of CPU. Envoy's client-side weighted round robin.
	 */
	LOAD_WEIGHTED("load-weighted", true);

	private final String id;

	private final boolean weighted;

	Algorithm(String id, boolean weighted) {
		this.id = id;
		this.weighted = weighted;
	}

	/**
	 * Whether configured weights count. Those that ignore them are their weighted twins
	 * over equal weights, so slow start, which works through weights, applies to all.
	 * @return true when weights count
	 */
	public boolean weighted() {
		return this.weighted;
	}

	/**
	 * The name used in configuration, e.g. {@code least-connections}.
	 * @return the name
	 */
	public String id() {
		return this.id;
	}

	/**
	 * A new balancer running this algorithm, with its own rotation state.
	 * @param random the randomness of the two-choice algorithms
	 * @param nanoClock the clock of the latency estimates
	 * @return the balancer
	 */
	public Balancer create(RandomGenerator random, LongSupplier nanoClock) {
		return switch (this) {
			case ROUND_ROBIN, WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin();
			case LEAST_CONNECTIONS, WEIGHTED_LEAST_CONNECTIONS -> new LeastConnections();
			case POWER_OF_TWO_CHOICES -> PowerOfTwoChoices.leastRequest(random);
			case PEAK_EWMA -> PowerOfTwoChoices.peakEwma(random, nanoClock);
			case LOAD_WEIGHTED -> new LoadWeighted(nanoClock, LoadWeighted.PERIOD_NANOS);
		};
	}

}
