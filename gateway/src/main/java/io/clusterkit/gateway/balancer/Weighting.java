package io.clusterkit.gateway.balancer;

/**
 * How an endpoint's weight in a {@link Pool} is made, the one place every algorithm gets
 * its weights from: the configured weight (or 1, for the algorithms that ignore weights;
 * 0 stays 0, drained), times the endpoint's slow-start ramp.
 * <p>
 * Slow start (HAProxy's {@code slowstart}, Envoy's slow start mode): an endpoint that has
 * just become eligible (first seen, UP again, readmitted after an ejection) starts at
 * {@code initialPercent} of its weight and grows linearly to the full weight over the
 * window, in steps of 1/{@value #STEPS}. A cold JVM has 0 requests in flight and looks
 * like the best choice to least connections; without the ramp it would get every new
 * request at once. Because the ramp lives in the weights, the load-aware algorithms
 * honour it too: least connections compares {@code (inFlight + 1) / weight}, so a ramping
 * instance takes its share only as the others get busier than it is light.
 * <p>
 * An instance that asks for fewer requests (429 or 503 with {@code Retry-After}) is held
 * at the initial share for that time, then ramps up like a newcomer: rate-limit-aware
 * balancing without an ejection.
 * <p>
 * Cost: nothing per pick; a pool with a ramping or throttled endpoint is rebuilt once per
 * step.
 *
 * @author clusterkit
 */
public final class Weighting {

	/** Weights are scaled by this many steps, so a ramp moves in 5 % steps. */
	static final int STEPS = 20;

	/** How often a throttled endpoint's end is looked for when slow start is off. */
	static final long THROTTLE_CHECK_NANOS = 100_000_000L;

	/** Configured weights as they are, no slow start. */
	public static final Weighting CONFIGURED = new Weighting(true, 0, 100);

	private final boolean configured;

	private final long windowNanos;

	private final int initialStep;

	/**
	 * A weighting.
	 * @param configured whether configured weights count; if not, every eligible endpoint
	 * has the same base weight
	 * @param slowStartNanos the slow-start window; 0 turns slow start off
	 * @param initialPercent the share of its weight a ramp starts at, from 1 to 100
	 */
	public Weighting(boolean configured, long slowStartNanos, int initialPercent) {
		if (slowStartNanos < 0 || initialPercent < 1 || initialPercent > 100) {
			throw new IllegalArgumentException("slow start needs a window of at least 0 and an initial percent from 1 "
					+ "to 100, got " + slowStartNanos + " ns and " + initialPercent + " %");
		}
		this.configured = configured;
		this.windowNanos = slowStartNanos;
		this.initialStep = Math.max(1, Math.round(initialPercent * STEPS / 100f));
	}

	/**
	 * The weight of an endpoint in a pool built now.
	 * @param endpoint the endpoint
	 * @param nowNanos the clock now
	 * @return its weight, 0 when drained
	 */
	int weight(Endpoint endpoint, long nowNanos) {
		int base = this.configured ? endpoint.weight() : Math.min(endpoint.weight(), 1);
		return base * step(endpoint, nowNanos);
	}

	/**
	 * Whether an endpoint's weight is still growing, so a pool holding it must be rebuilt
	 * after {@link #stepNanos()}.
	 * @param endpoint the endpoint
	 * @param nowNanos the clock now
	 * @return true while it ramps
	 */
	boolean isRamping(Endpoint endpoint, long nowNanos) {
		return step(endpoint, nowNanos) < STEPS;
	}

	/**
	 * The share of its weight an endpoint has now: below 1 while it ramps up.
	 * @param endpoint the endpoint
	 * @param nowNanos the clock now
	 * @return from the initial share to 1
	 */
	public double share(Endpoint endpoint, long nowNanos) {
		return step(endpoint, nowNanos) / (double) STEPS;
	}

	/**
	 * How long one ramp step lasts: how often a pool with a ramping endpoint is rebuilt.
	 * @return the step, in nanoseconds
	 */
	public long stepNanos() {
		return (this.windowNanos > 0) ? Math.max(1, this.windowNanos / STEPS) : THROTTLE_CHECK_NANOS;
	}

	private int step(Endpoint endpoint, long nowNanos) {
		if (endpoint.isThrottled(nowNanos)) {
			return this.initialStep;
		}
		long start = endpoint.rampStart();
		if (this.windowNanos == 0 || start == Endpoint.NOT_RAMPING) {
			return STEPS;
		}
		long elapsed = Math.max(0, nowNanos - start);
		if (elapsed >= this.windowNanos) {
			return STEPS;
		}
		return this.initialStep + (int) ((STEPS - this.initialStep) * elapsed / this.windowNanos);
	}

}
