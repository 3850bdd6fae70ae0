package io.clusterkit.gateway.health;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

class LatencyWindowTests {

	@Test
	void shouldKnowAnyLatencyWithinAnEighth() {
		for (long nanos = 1; nanos < Duration.ofHours(1).toNanos(); nanos = nanos * 3 / 2 + 1) {
			LatencyWindow window = new LatencyWindow();
			window.record(nanos);
			double median = window.drain().medianNanos();
			if (nanos >= 4096) {
				assertThat(median).as(nanos + " ns").isCloseTo(nanos, withinPercentage(12.5));
			}
			else {
				assertThat(median).as(nanos + " ns, under the first unit's resolution").isLessThan(4096);
			}
		}
	}

	@Test
	void shouldKeepBucketsInOrder() {
		int previous = 0;
		for (long nanos = 0; nanos < Duration.ofHours(3).toNanos(); nanos = nanos * 9 / 8 + 1) {
			int bucket = LatencyWindow.bucket(nanos);
			assertThat(bucket).as(nanos + " ns").isGreaterThanOrEqualTo(previous).isLessThan(128);
			previous = bucket;
		}
		assertThat(LatencyWindow.bucket(Long.MAX_VALUE)).isEqualTo(127);
		assertThat(LatencyWindow.bucket(-5)).isZero();
	}

	@Test
	void shouldTakeTheMedianAndStartAnew() {
		LatencyWindow window = new LatencyWindow();
		for (int i = 0; i < 60; i++) {
			window.record(Duration.ofMillis(2).toNanos());
		}
		for (int i = 0; i < 40; i++) {
			window.record(Duration.ofSeconds(10).toNanos());
		}
		LatencyWindow.Summary summary = window.drain();
		assertThat(summary.responses()).isEqualTo(100);
		assertThat(summary.medianNanos()).isCloseTo(Duration.ofMillis(2).toNanos(), withinPercentage(12.5));
		assertThat(window.drain()).isEqualTo(new LatencyWindow.Summary(0, 0));
	}

}
