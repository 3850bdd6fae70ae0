package io.clusterkit.gateway.health;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One instance's response latencies since the last round of latency outlier detection, as
 * a fixed log-linear histogram (four buckets per power of two from about a microsecond,
 * so any value is known within 12.5 %; 128 buckets reach two hours). The detector judges
 * the window's median, not its mean: a few expensive requests, which a client chooses,
 * move a mean as far as it likes and a median not at all, so only an instance slow on
 * most of what it serves is judged slow.
 * <p>
 * Cost: 1 KB per instance; on the request path, a bucket index from the leading zeros and
 * one atomic increment, no allocation. A response recorded while the window is drained
 * lands in this window or the next.
 *
 * @author clusterkit
 */
final class LatencyWindow {

	private static final int BUCKETS = 128;

	/** Values are kept in units of 1024 ns, about a microsecond. */
	private static final int UNIT_SHIFT = 10;

	private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

	void record(long latencyNanos) {
		this.counts.getAndIncrement(bucket(latencyNanos));
	}

	/**
	 * Take the window and start a new one.
	 * @return how many responses, and their median latency
	 */
	Summary drain() {
		return summarize(true);
	}

	/**
	 * The window so far, left as it is.
	 * @return how many responses, and their median latency
	 */
	Summary peek() {
		return summarize(false);
	}

	private Summary summarize(boolean reset) {
		long[] taken = new long[BUCKETS];
		long responses = 0;
		for (int i = 0; i < BUCKETS; i++) {
			taken[i] = reset ? this.counts.getAndSet(i, 0) : this.counts.get(i);
			responses += taken[i];
		}
		long half = (responses + 1) / 2;
		long seen = 0;
		for (int i = 0; i < BUCKETS; i++) {
			seen += taken[i];
			if (responses > 0 && seen >= half) {
				return new Summary(responses, middleNanos(i));
			}
		}
		return new Summary(0, 0);
	}

	static int bucket(long latencyNanos) {
		long units = Math.max(latencyNanos, 0) >>> UNIT_SHIFT;
		if (units < 4) {
			return (int) units;
		}
		int exponent = 63 - Long.numberOfLeadingZeros(units);
		int bucket = 4 * (exponent - 1) + (int) ((units >>> (exponent - 2)) & 3);
		return Math.min(bucket, BUCKETS - 1);
	}

	/** The middle of a bucket's range, in nanoseconds. */
	static double middleNanos(int bucket) {
		if (bucket < 4) {
			return (bucket + 0.5) * (1 << UNIT_SHIFT);
		}
		int exponent = bucket / 4 + 1;
		long width = 1L << (exponent - 2);
		long lower = (4L + bucket % 4) * width;
		return (lower + width / 2.0) * (1 << UNIT_SHIFT);
	}

	/**
	 * A drained window.
	 *
	 * @param responses responses that started in it
	 * @param medianNanos their median latency, 0 without responses
	 */
	record Summary(long responses, double medianNanos) {

	}

}
