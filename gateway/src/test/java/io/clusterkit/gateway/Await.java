package io.clusterkit.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one polling loop of the tests: what a test waits for happens in another process or
 * on another thread, within a deadline, or the test fails saying what it waited for.
 */
public final class Await {

	private static final long POLL_MILLIS = 20;

	private Await() {
	}

	/**
	 * Wait until a condition holds.
	 * @param what what is awaited, for the failure message
	 * @param timeout the deadline
	 * @param condition the condition
	 */
	public static void until(String what, Duration timeout, BooleanSupplier condition) {
		value(what, timeout, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
	}

	/**
	 * Wait until a value is there.
	 * @param <T> its type
	 * @param what what is awaited, for the failure message
	 * @param timeout the deadline
	 * @param probe the value, empty while not there yet
	 * @return the value
	 */
	public static <T> T value(String what, Duration timeout, Supplier<Optional<T>> probe) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Optional<T> value = probe.get();
			if (value.isPresent()) {
				return value.get();
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError(what + ": not within " + timeout);
			}
			sleep(POLL_MILLIS);
		}
	}

	/**
	 * Sleep, keeping the interrupt.
	 * @param millis how long
	 */
	public static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
	}

}
