package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.List;

import io.clusterkit.gateway.balancer.Endpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyOutliersTests {

	private static final double MS = Duration.ofMillis(1).toNanos();

	private final LatencyOutliers detector = new LatencyOutliers(3, Duration.ofMillis(20).toNanos(), 20);

	@Test
	void shouldFindTheOneInstanceFarSlowerThanItsPeers() {
		Endpoint slow = endpoint("slow");
		List<LatencyOutliers.Outlier> outliers = this.detector
			.find(List.of(sample("a", 100, 2), sample("b", 100, 3), sample(slow, 100, 52)));
		assertThat(outliers).singleElement().satisfies((outlier) -> {
			assertThat(outlier.endpoint()).isSameAs(slow);
			assertThat(outlier.reason()).isEqualTo("median latency 52 ms vs peers' 2.5 ms");
		});
	}

	@Test
	void shouldEjectNobodyWhenAllAreEquallySlow() {
		assertThat(this.detector.find(List.of(sample("a", 100, 250), sample("b", 100, 260), sample("c", 100, 240))))
			.isEmpty();
	}

	@Test
	void shouldIgnoreDifferencesUnderTheFloor() {
		assertThat(this.detector.find(List.of(sample("a", 100, 1), sample("b", 100, 1), sample("c", 100, 15))))
			.as("15 times slower, but 15 ms")
			.isEmpty();
	}

	@Test
	void shouldJudgeOnlyInstancesWithEnoughResponses() {
		assertThat(this.detector.find(List.of(sample("a", 100, 2), sample("b", 19, 500)))).as("too few to judge")
			.isEmpty();
		assertThat(this.detector.find(List.of(sample("a", 100, 2), sample("b", 0, 0), sample("c", 5, 900))))
			.as("no peer judged")
			.isEmpty();
	}

	@Test
	void shouldCompareTwoInstancesWithEachOther() {
		Endpoint slow = endpoint("slow");
		assertThat(this.detector.find(List.of(sample("a", 50, 4), sample(slow, 50, 40))))
			.extracting(LatencyOutliers.Outlier::endpoint)
			.containsExactly(slow);
	}

	@Test
	void shouldNotCallAnInstanceAnOutlierForBeingLessThanFactorTimesSlower() {
		assertThat(this.detector.find(List.of(sample("a", 100, 20), sample("b", 100, 22), sample("c", 100, 55))))
			.as("55 ms against 21 ms: under 3 times")
			.isEmpty();
	}

	private static LatencyOutliers.Sample sample(String name, long responses, double medianMs) {
		return sample(endpoint(name), responses, medianMs);
	}

	private static LatencyOutliers.Sample sample(Endpoint endpoint, long responses, double medianMs) {
		return new LatencyOutliers.Sample(endpoint, responses, medianMs * MS);
	}

	private static Endpoint endpoint(String name) {
		return new Endpoint(name + ":9001", 1, 1);
	}

}
