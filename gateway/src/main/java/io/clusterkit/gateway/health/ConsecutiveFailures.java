package io.clusterkit.gateway.health;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consecutive-failures detector of one instance (Envoy's {@code consecutive_5xx}):
 * failures in a row, as {@code loadbalancer/Blame} judges them, reset by any success.
 * Cost: one atomic write per verdict.
 *
 * @author clusterkit
 */
final class ConsecutiveFailures {

	private final int threshold;

	private final AtomicInteger inARow = new AtomicInteger();

	/**
	 * A detector.
	 * @param threshold failures in a row that call for ejection; 0 never does
	 */
	ConsecutiveFailures(int threshold) {
		this.threshold = threshold;
	}

	/**
	 * Count one verdict.
	 * @param success whether the instance served the request
	 * @return whether the failures in a row reached the threshold
	 */
	boolean record(boolean success) {
		if (success) {
			this.inARow.set(0);
			return false;
		}
		return this.inARow.incrementAndGet() >= this.threshold && this.threshold > 0;
	}

	/** A readmitted instance starts with a clean record. */
	void reset() {
		this.inARow.set(0);
	}

	String reason() {
		return this.threshold + " consecutive failures";
	}

}
