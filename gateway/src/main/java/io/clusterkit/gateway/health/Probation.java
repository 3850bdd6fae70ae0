package io.clusterkit.gateway.health;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A readmitted instance's probation: due for judgment once it has served the responses a
 * latency window needs. Off probation, the request path reads one volatile field.
 *
 * @author clusterkit
 */
final class Probation {

	private final long responses;

	private final AtomicLong served = new AtomicLong();

	private volatile boolean on;

	/**
	 * A probation.
	 * @param responses responses before judgment; 0 never puts anyone on probation
	 */
	Probation(long responses) {
		this.responses = responses;
	}

	void begin() {
		this.served.set(0);
		this.on = this.responses > 0;
	}

	/**
	 * Count one response served on probation.
	 * @return whether it is time to judge
	 */
	boolean isDue() {
		return this.on && this.served.incrementAndGet() >= this.responses;
	}

	void end() {
		this.on = false;
	}

}
