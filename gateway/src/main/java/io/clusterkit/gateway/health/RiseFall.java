package io.clusterkit.gateway.health;

/**
 * HAProxy's {@code rise}/{@code fall} hysteresis for one instance: UP turns DOWN after
 * {@code fall} consecutive failed probes, DOWN turns UP after {@code rise} consecutive
 * successes; any opposite result restarts the count. Probes of one instance run one after
 * another, never at once, so plain fields suffice; they are volatile for the readers
 * (health endpoint) on other threads.
 *
 * @author clusterkit
 */
final class RiseFall {

	private final int rise;

	private final int fall;

	private volatile boolean up;

	private volatile int streak;

	private volatile String lastResult = "not probed yet";

	RiseFall(int rise, int fall, boolean up) {
		this.rise = rise;
		this.fall = fall;
		this.up = up;
	}

	/**
	 * Record one probe.
	 * @param success whether it succeeded
	 * @param detail what it met, for operators
	 * @return true when this probe changed the state
	 */
	boolean record(boolean success, String detail) {
		this.lastResult = detail;
		if (success == this.up) {
			this.streak = 0;
			return false;
		}
		this.streak++;
		if (this.streak < (this.up ? this.fall : this.rise)) {
			return false;
		}
		this.up = success;
		this.streak = 0;
		return true;
	}

	boolean isUp() {
		return this.up;
	}

	String lastResult() {
		return this.lastResult;
	}

}
