package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Finagle's peak-sensitive EWMA: a slower observation replaces the estimate at once, a
 * faster one is blended in with a weight that grows with the time since the last
 * observation, and without observations the estimate decays towards zero, so a slow
 * instance is probed again after about the decay time and recovers its share if it has
 * recovered. Updates race benignly (a lost blend, never a torn value): the value and its
 * time stamp are packed in one CAS, so no lock is taken.
 *
 * @author clusterkit
 */
final class PeakEwma {

	private static final long UNOBSERVED = -1;

	private final double decayNanos;

	private final AtomicLong estimateBits = new AtomicLong(Double.doubleToRawLongBits(UNOBSERVED));

	private volatile long stamp;

	PeakEwma(long decayNanos) {
		this.decayNanos = decayNanos;
	}

	void observe(long latencyNanos, long nowNanos) {
		long bits = this.estimateBits.get();
		double previous = Double.longBitsToDouble(bits);
		double next;
		if (previous < 0) {
			next = latencyNanos;
		}
		else {
			double w = Math.exp(-Math.max(nowNanos - this.stamp, 0) / this.decayNanos);
			double decayed = previous * w;
			next = (latencyNanos > decayed) ? latencyNanos : decayed + latencyNanos * (1 - w);
		}
		if (this.estimateBits.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
			this.stamp = nowNanos;
		}
	}

	double estimate(long nowNanos) {
		double value = Double.longBitsToDouble(this.estimateBits.get());
		if (value <= 0) {
			return value;
		}
		return value * Math.exp(-Math.max(nowNanos - this.stamp, 0) / this.decayNanos);
	}

}
