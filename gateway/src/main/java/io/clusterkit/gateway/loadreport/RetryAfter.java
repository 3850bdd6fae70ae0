package io.clusterkit.gateway.loadreport;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

/**
 * How long an instance's {@code Retry-After} asks for (RFC 9110, section 10.2.3):
 * delay-seconds or an HTTP-date, capped at {@link #MAX}: an instance may ask a client to
 * wait hours, but a weight cut that long would outlive whatever made it ask.
 *
 * @author clusterkit
 */
final class RetryAfter {

	/** The longest throttle one answer sets. */
	static final Duration MAX = Duration.ofSeconds(60);

	private RetryAfter() {
	}

	/**
	 * The wait the header asks for.
	 * @param value the header's value
	 * @param now the wall clock now, for an HTTP-date
	 * @return the wait, from 0 to {@link #MAX}, or null when the value is neither form
	 */
	static @Nullable Duration parse(String value, Instant now) {
		String text = value.strip();
		if (text.isEmpty()) {
			return null;
		}
		if (Character.isDigit(text.charAt(0))) {
			for (int i = 0; i < text.length(); i++) {
				if (!Character.isDigit(text.charAt(i))) {
					return null;
				}
			}
			// more digits than a long holds: still a wait, a long one
			return (text.length() > 9) ? MAX : capped(Duration.ofSeconds(Long.parseLong(text)));
		}
		try {
			Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			return capped(Duration.between(now, at));
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static Duration capped(Duration wait) {
		if (wait.isNegative()) {
			return Duration.ZERO;
		}
		return (wait.compareTo(MAX) > 0) ? MAX : wait;
	}

}
