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
	ROUND_ROBIN("round-robin"),

	/** nginx's smooth weighted round robin. */
	WEIGHTED_ROUND_ROBIN("weighted-round-robin"),

	/** Fewest requests in flight from this gateway; ties rotate. The default. */
	LEAST_CONNECTIONS("least-connections"),

	/**
	 * Fewest {@code (in flight + 1) / weight}; ties rotate. HAProxy's weighted leastconn.
	 */
	WEIGHTED_LEAST_CONNECTIONS("weighted-least-connections"),

	/** The less loaded of two weighted random draws. Envoy's least request. */
	POWER_OF_TWO_CHOICES("power-of-two-choices"),

	/**
	 * The cheaper of two weighted random draws by latency × load. Finagle's and
	 * Linkerd's.
	 */
	PEAK_EWMA("peak-ewma");

	private final String id;

	Algorithm(String id) {
		this.id = id;
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
			case ROUND_ROBIN -> new RoundRobin();
			case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin();
			case LEAST_CONNECTIONS -> LeastConnections.unweighted();
			case WEIGHTED_LEAST_CONNECTIONS -> LeastConnections.weighted();
			case POWER_OF_TWO_CHOICES -> PowerOfTwoChoices.leastRequest(random);
			case PEAK_EWMA -> PowerOfTwoChoices.peakEwma(random, nanoClock);
		};
	}

}
