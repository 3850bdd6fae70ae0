package io.clusterkit.gateway.retry;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Caps retries to a fraction of live traffic, as Finagle's retry budget does, so an
 * outage is not amplified by the clients' own retries: every request deposits
 * {@code percent / 100} of a token, every retry withdraws a whole one, and a small floor
 * of tokens per second keeps low traffic retryable. The balance is bounded, so a long
 * quiet period cannot bank an unbounded burst. Lock-free: one CAS per deposit or
 * withdrawal. The floor's first second is available at once.
 *
 * @author clusterkit
 */
final class RetryBudget {

	private static final long TOKEN = 1_000;

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	private final long deposit;

	private final long floorPerSecond;

	private final long capacity;

	private final LongSupplier nanoClock;

	private final AtomicLong balance = new AtomicLong();

	private volatile long refilledAt;

	RetryBudget(int percent, int minRetriesPerSecond, LongSupplier nanoClock) {
		this.deposit = percent * TOKEN / 100;
		this.floorPerSecond = minRetriesPerSecond * TOKEN;
		this.capacity = Math.max(100, 10L * minRetriesPerSecond) * TOKEN;
		this.nanoClock = nanoClock;
		this.refilledAt = nanoClock.getAsLong();
		// a gateway that just started (a rolling update) can retry its first failures:
		// the floor is there from the start, as Finagle's reserve is
		this.balance.set(this.floorPerSecond);
	}

	/** A request that may be retried has started. */
	void recordRequest() {
		add(this.deposit);
	}

	/**
	 * Take the token a retry costs.
	 * @return whether the budget allows the retry
	 */
	boolean tryRetry() {
		refill();
		long current;
		do {
			current = this.balance.get();
			if (current < TOKEN) {
				return false;
			}
		}
		while (!this.balance.compareAndSet(current, current - TOKEN));
		return true;
	}

	private void refill() {
		long now = this.nanoClock.getAsLong();
		long last = this.refilledAt;
		long earned = (now - last) * this.floorPerSecond / NANOS_PER_SECOND;
		if (earned > 0) {
			// a racing refill may win; losing one slice of the floor is harmless
			this.refilledAt = now;
			add(earned);
		}
	}

	private void add(long amount) {
		long current;
		do {
			current = this.balance.get();
		}
		while (!this.balance.compareAndSet(current, Math.min(this.capacity, current + amount)));
	}

}
