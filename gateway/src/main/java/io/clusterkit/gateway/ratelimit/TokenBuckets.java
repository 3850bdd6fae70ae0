package io.clusterkit.gateway.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One token bucket per client, as the generic cell rate algorithm (GCRA): a bucket is a
 * single number, the time at which it would be full again ("theoretical arrival time"),
 * so taking a token is one compare-and-set, with no lock and no refill timer. A request
 * is allowed when that time lies at most {@code (burst - 1)} intervals ahead of now, and
 * moves it one interval on; a refused one learns how long until a token is back, which is
 * its {@code Retry-After}.
 * <p>
 * Cost: a map lookup and a CAS per request; memory: one entry per client whose bucket is
 * not full, since {@link #evictFull()} drops the full ones (a full bucket and no bucket
 * behave alike).
 *
 * @author clusterkit
 */
final class TokenBuckets {

	private final long intervalNanos;

	private final long toleranceNanos;

	private final LongSupplier nanoClock;

	private final ConcurrentHashMap<Object, AtomicLong> fullAt = new ConcurrentHashMap<>();

	TokenBuckets(double perSecond, int burst, LongSupplier nanoClock) {
		this.intervalNanos = Math.max(1, Math.round(1_000_000_000d / perSecond));
		this.toleranceNanos = this.intervalNanos * (burst - 1);
		this.nanoClock = nanoClock;
	}

	/**
	 * Take a token from a client's bucket.
	 * @param client the client's key
	 * @return 0 when a token was taken, else the nanoseconds until one will be there
	 */
	long tryTake(Object client) {
		long now = this.nanoClock.getAsLong();
		AtomicLong bucket = this.fullAt.get(client);
		if (bucket == null) {
			AtomicLong fresh = new AtomicLong(now);
			AtomicLong raced = this.fullAt.putIfAbsent(client, fresh);
			bucket = (raced != null) ? raced : fresh;
		}
		while (true) {
			long full = bucket.get();
			long from = Math.max(full, now);
			long wait = from - now - this.toleranceNanos;
			if (wait > 0) {
				return wait;
			}
			if (bucket.compareAndSet(full, from + this.intervalNanos)) {
				return 0;
			}
		}
	}

	/** Forget the clients whose buckets have refilled. */
	void evictFull() {
		long now = this.nanoClock.getAsLong();
		this.fullAt.values().removeIf((bucket) -> bucket.get() - now <= 0);
	}

	int clients() {
		return this.fullAt.size();
	}

}
