package io.clusterkit.gateway.loadreport;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

	static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	@Test
	void shouldReadDelaySecondsCappedAtTheLongestThrottle() {
		assertThat(RetryAfter.parse("2", NOW)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetryAfter.parse(" 5 ", NOW)).isEqualTo(Duration.ofSeconds(5));
		assertThat(RetryAfter.parse("0", NOW)).isZero();
		assertThat(RetryAfter.parse("3600", NOW)).isEqualTo(RetryAfter.MAX);
		assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEqualTo(RetryAfter.MAX);
	}

	@Test
	void shouldReadAnHttpDate() {
		assertThat(RetryAfter.parse(httpDate(NOW.plusSeconds(10)), NOW)).isEqualTo(Duration.ofSeconds(10));
		assertThat(RetryAfter.parse(httpDate(NOW.minusSeconds(10)), NOW)).as("already past").isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "-1", "1.5", "2s", "soon", "Tue, 32 Dec 2026 10:00:00 GMT" })
	void shouldRefuseAnythingElse(String value) {
		assertThat(RetryAfter.parse(value, NOW)).isNull();
	}

	private static String httpDate(Instant instant) {
		return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
	}

}
