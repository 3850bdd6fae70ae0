package io.clusterkit.gateway.health;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * HAProxy's {@code rise}/{@code fall} hysteresis for one instance: UP turns DOWN after
 * {@code fall} consecutive failed probes, DOWN turns UP after {@code rise} consecutive
 * successes; any opposite result restarts the count. Probes of one instance run one after
 * another, never at once, so plain fields suffice; they are volatile for the readers
 * (health endpoint) on other threads.
 *
 * @author clusterkit
 */
public final class RiseFall {

	private final int rise;

	private final int fall;

	private volatile boolean up;

	private volatile int streak;

	private volatile @Nullable Result lastResult;

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
		this.lastResult = new Result(success, detail, Instant.now());
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

	@Nullable Result lastResult() {
		return this.lastResult;
	}

	/**
	 * One probe's outcome.
	 *
	 * @param success whether it passed
	 * @param detail what it met, e.g. {@code readiness 200} or a connection error
	 * @param at when it completed
	 */
	public record Result(boolean success, String detail, Instant at) {

	}

}
