package io.clusterkit.gateway.limits;

import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;

/**
 * One connection's timed check, scheduled so that a connection has one or two pending at
 * most rather than one per request or stream: a pending check that runs by the time asked
 * for is enough. Used on the connection's event loop only: no locks, no volatile.
 *
 * @author clusterkit
 */
final class Recheck {

	private final Runnable task = this::run;

	private final Runnable check;

	private boolean scheduled;

	private long at;

	Recheck(Runnable check) {
		this.check = check;
	}

	/** Make sure the check runs within the delay. */
	void within(EventExecutor executor, long delayNanos) {
		long when = System.nanoTime() + delayNanos;
		if (this.scheduled && this.at - when <= 0) {
			return;
		}
		this.scheduled = true;
		this.at = when;
		executor.schedule(this.task, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void run() {
		if (System.nanoTime() - this.at >= 0) {
			// the latest scheduled check, not one an earlier deadline overtook
			this.scheduled = false;
		}
		this.check.run();
	}

}
