package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PassiveEjectionTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private long now = 100 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND,
			new EndpointRegistry.Ejection(3, SECOND, 4 * SECOND), true, () -> this.now);

	private final Endpoint endpoint = this.registry.endpoint("s", "h", 1, null);

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
