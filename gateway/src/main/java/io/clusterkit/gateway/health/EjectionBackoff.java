package io.clusterkit.gateway.health;

/**
 * How long one instance stays ejected: the base time, doubled on each ejection that
 * follows a readmission within the cap, capped (Envoy's
 * {@code base_ejection_time}/{@code max_ejection_time}); an instance that stays in for
 * the cap starts again from the base. Ejection and readmission are rare and take the
 * instance's lock; the request path never touches this.
 *
 * @author clusterkit
 */
final class EjectionBackoff {

	private final long baseNanos;

	private final long maxNanos;

	private int ejections;

	private long until;

	private long readmittedAt;

	EjectionBackoff(long baseNanos, long maxNanos) {
		this.baseNanos = baseNanos;
		this.maxNanos = maxNanos;
	}

	/**
	 * Start an ejection.
	 * @param nowNanos the clock now
	 * @return how long it lasts
	 */
	synchronized long eject(long nowNanos) {
		if (nowNanos - this.readmittedAt > this.maxNanos) {
			this.ejections = 0;
		}
		long duration = Math.min(this.maxNanos, this.baseNanos << Math.min(this.ejections, 30));
		this.ejections++;
		this.until = nowNanos + duration;
		return duration;
	}

	/**
	 * Start an ejection of a fixed length, outside the backoff.
	 * @param nowNanos the clock now
	 * @param durationNanos how long it lasts
	 */
	synchronized void ejectFor(long nowNanos, long durationNanos) {
		this.until = nowNanos + durationNanos;
	}

	/**
	 * End the ejection if its time is over.
	 * @param nowNanos the clock now
	 * @return whether it ended
	 */
	synchronized boolean readmitIfDue(long nowNanos) {
		if (nowNanos - this.until < 0) {
			return false;
		}
		this.readmittedAt = nowNanos;
		return true;
	}

}
