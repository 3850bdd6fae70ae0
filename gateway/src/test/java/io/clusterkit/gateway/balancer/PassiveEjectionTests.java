package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PassiveEjectionTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private long now = 100 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND,
			new EndpointRegistry.Ejection(3, SECOND, 4 * SECOND, 100), true, () -> this.now);

	private final Endpoint endpoint = this.registry.endpoint("s", "h", 1, null);

	private final Endpoint other = this.registry.endpoint("s", "h", 2, null);

	@Test
	void shouldEjectAfterConsecutiveFailuresOnly() {
		fail(2);
		this.registry.recordOutcome(this.endpoint, true);
		fail(2);
		assertThat(this.endpoint.isEjected()).isFalse();
		long version = this.registry.version();
		fail(1);
		assertThat(this.endpoint.isEjected()).isTrue();
		assertThat(this.registry.version()).isGreaterThan(version);
		assertThat(Pool.of(List.of(this.endpoint)).isEmpty()).isTrue();
	}

	@Test
	void shouldReadmitOnlyOnceTheEjectionTimeIsOver() {
		fail(3);
		this.now += SECOND / 2;
		this.registry.readmitIfDue(this.endpoint);
		assertThat(this.endpoint.isEjected()).isTrue();
		this.now += SECOND / 2;
		this.registry.readmitIfDue(this.endpoint);
		assertThat(this.endpoint.isEjected()).isFalse();
		assertThat(Pool.of(List.of(this.endpoint)).size()).isOne();
	}

	@Test
	void shouldDoubleRepeatedEjectionsUpToTheCap() {
		assertThat(ejectAndReturn()).isEqualTo(SECOND);
		assertThat(ejectAndReturn()).isEqualTo(2 * SECOND);
		assertThat(ejectAndReturn()).isEqualTo(4 * SECOND);
		assertThat(ejectAndReturn()).isEqualTo(4 * SECOND);
	}

	@Test
	void shouldStartAgainFromTheBaseAfterAQuietSpell() {
		ejectAndReturn();
		ejectAndReturn();
		this.now += 5 * SECOND;
		assertThat(ejectAndReturn()).isEqualTo(SECOND);
	}

	@Test
	void shouldRecordWhyAnInstanceWasEjected() {
		fail(3);
		assertThat(this.endpoint.ejectionReason()).isEqualTo("3 consecutive failures");
		assertThat(this.registry.eject(this.other, "latency 52 ms vs peers' median 2.0 ms"))
			.as("the last eligible instance")
			.isFalse();
	}

	@Test
	void shouldEjectNothingWithoutActiveChecksToReadmit() {
		EndpointRegistry unchecked = new EndpointRegistry(SECOND, EndpointRegistry.Ejection.OFF, false, () -> this.now);
		Endpoint one = unchecked.endpoint("s", "h", 1, null);
		unchecked.endpoint("s", "h", 2, null);
		assertThat(unchecked.eject(one, "slow")).isFalse();
	}

	@Test
	void shouldNeverEjectTheLastEligibleInstance() {
		this.registry.drain(this.other, true);
		fail(10);
		assertThat(this.endpoint.isEjected()).isFalse();
		assertThat(this.endpoint.failures()).isEqualTo(10);
		this.registry.drain(this.other, false);
		fail(1);
		assertThat(this.endpoint.isEjected()).as("the next failure ejects once another can serve").isTrue();
	}

	@Test
	void shouldEjectNoMoreThanTheMaxPercentButAlwaysOne() {
		EndpointRegistry capped = new EndpointRegistry(SECOND, new EndpointRegistry.Ejection(1, SECOND, SECOND, 50),
				true, () -> this.now);
		List<Endpoint> three = List.of(capped.endpoint("s", "h", 1, null), capped.endpoint("s", "h", 2, null),
				capped.endpoint("s", "h", 3, null));
		three.forEach((endpoint) -> capped.recordOutcome(endpoint, false));
		assertThat(three).filteredOn(Endpoint::isEjected).hasSize(1);
		Endpoint fourth = capped.endpoint("s", "h", 4, null);
		capped.recordOutcome(fourth, false);
		assertThat(fourth.isEjected()).as("2 of 4 is within 50 %").isTrue();
	}

	@Test
	void shouldEjectZeroPercentPoolsOnlyOneAtATime() {
		EndpointRegistry capped = new EndpointRegistry(SECOND, new EndpointRegistry.Ejection(1, SECOND, SECOND, 0),
				true, () -> this.now);
		List<Endpoint> four = List.of(capped.endpoint("s", "h", 1, null), capped.endpoint("s", "h", 2, null),
				capped.endpoint("s", "h", 3, null), capped.endpoint("s", "h", 4, null));
		four.forEach((endpoint) -> capped.recordOutcome(endpoint, false));
		assertThat(four).filteredOn(Endpoint::isEjected).hasSize(1);
	}

	/** Eject, then readmit as soon as allowed; answers how long the ejection lasted. */
	private long ejectAndReturn() {
		fail(3);
		long ejectedAt = this.now;
		while (this.endpoint.isEjected()) {
			this.now += SECOND / 10;
			this.registry.readmitIfDue(this.endpoint);
		}
		return Math.round((this.now - ejectedAt) / (double) (SECOND / 10)) * (SECOND / 10);
	}

	private void fail(int times) {
		for (int i = 0; i < times; i++) {
			this.registry.recordOutcome(this.endpoint, false);
		}
	}

}
