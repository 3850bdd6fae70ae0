package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.List;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passive health with simulated verdicts, latencies and time: the consecutive-failures
 * detector, the latency detector's rounds, the backoff, and the guard over both.
 */
class PassiveHealthTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final long MS = Duration.ofMillis(1).toNanos();

	private long now = 100 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND, true, () -> this.now);

	private final PassiveHealth health = passiveHealth(this.registry, 3, 4 * SECOND, 100);

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
		assertThat(this.endpoint.isEligible()).isFalse();
	}

	@Test
	void shouldReadmitOnlyOnceTheEjectionTimeIsOver() {
		fail(3);
		this.now += SECOND / 2;
		this.health.readmitIfDue(this.endpoint);
		assertThat(this.endpoint.isEjected()).isTrue();
		this.now += SECOND / 2;
		this.health.readmitIfDue(this.endpoint);
		assertThat(this.endpoint.isEjected()).isFalse();
		assertThat(this.endpoint.isEligible()).isTrue();
	}

	@Test
	void shouldStartAReadmittedInstanceWithACleanRecord() {
		fail(2);
		fail(1);
		this.now += SECOND;
		this.health.readmitIfDue(this.endpoint);
		fail(2);
		assertThat(this.endpoint.isEjected()).as("2 failures after readmission, not 5").isFalse();
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
		EndpointRegistry capped = new EndpointRegistry(SECOND, true, () -> this.now);
		passiveHealth(capped, 1, SECOND, 50);
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
		EndpointRegistry capped = new EndpointRegistry(SECOND, true, () -> this.now);
		passiveHealth(capped, 1, SECOND, 0);
		List<Endpoint> four = List.of(capped.endpoint("s", "h", 1, null), capped.endpoint("s", "h", 2, null),
				capped.endpoint("s", "h", 3, null), capped.endpoint("s", "h", 4, null));
		four.forEach((endpoint) -> capped.recordOutcome(endpoint, false));
		assertThat(four).filteredOn(Endpoint::isEjected).hasSize(1);
	}

	@Test
	void shouldEjectAnInstanceSlowOnMostOfWhatItServes() {
		Endpoint third = ejectSlowThird();
		assertThat(third.ejectionReason()).matches("median latency 5\\d ms vs peers' 2\\.\\d ms");
		assertThat(this.endpoint.isEjected() || this.other.isEjected()).isFalse();
	}

	@Test
	void shouldNotEjectAnInstanceForAFewExpensiveRequests() {
		Endpoint third = this.registry.endpoint("s", "h", 3, null);
		respond(this.endpoint, 30, 2 * MS);
		respond(this.other, 30, 2 * MS);
		respond(third, 20, 2 * MS);
		respond(third, 10, 10 * SECOND);
		this.health.judgeLatency();
		assertThat(third.isEjected()).as("a third of its requests took 10 s: a mean of 3.3 s, a median of 2 ms")
			.isFalse();
	}

	@Test
	void shouldJudgeEachWindowOnItsOwn() {
		Endpoint third = this.registry.endpoint("s", "h", 3, null);
		respond(this.endpoint, 30, 2 * MS);
		respond(this.other, 30, 2 * MS);
		respond(third, 30, 2 * MS);
		this.health.judgeLatency();
		respond(third, 30, 60 * MS);
		this.health.judgeLatency();
		assertThat(third.isEjected()).as("its peers had no responses this window").isFalse();
	}

	@Test
	void shouldJudgeAReadmittedInstanceAsSoonAsItHasServedAWindowsWorth() {
		Endpoint third = ejectSlowThird();
		readmitAfterItsTwoSeconds(third);
		assertThat(third.isEjected()).isFalse();
		respond(third, 19, 52 * MS);
		assertThat(third.isEjected()).as("19 responses: not judged yet").isFalse();
		respond(third, 1, 52 * MS);
		assertThat(third.isEjected()).as("the 20th: judged against its peers' last windows").isTrue();
		assertThat(third.ejectionReason()).endsWith(" on probation");
	}

	@Test
	void shouldNeverDoubleALatencyEjection() {
		Endpoint third = ejectSlowThird();
		for (int i = 0; i < 3; i++) {
			this.now += 2 * SECOND;
			this.health.readmitIfDue(third);
			assertThat(third.isEjected()).isFalse();
			respond(third, 20, 52 * MS);
			assertThat(third.isEjected()).isTrue();
		}
	}

	@Test
	void shouldEndTheProbationOfAnInstanceFastAgain() {
		Endpoint third = ejectSlowThird();
		readmitAfterItsTwoSeconds(third);
		respond(third, 20, 2 * MS);
		respond(third, 40, 52 * MS);
		assertThat(third.isEjected()).as("off probation, judged at the end of the window").isFalse();
	}

	@Test
	void shouldForgetARetiredInstance() {
		this.registry.reconcile("s", List.of(new EndpointRegistry.Member("h", 2, java.util.Map.of())));
		this.registry.retireDeparted(0);
		fail(5);
		assertThat(this.endpoint.isEjected()).as("retired: no verdict reaches passive health").isFalse();
	}

	/** A third instance, 52 ms against its peers' 2 and 3, ejected by a latency round. */
	private Endpoint ejectSlowThird() {
		Endpoint third = this.registry.endpoint("s", "h", 3, null);
		respond(this.endpoint, 30, 2 * MS);
		respond(this.other, 30, 3 * MS);
		respond(third, 30, 52 * MS);
		this.health.judgeLatency();
		assertThat(third.isEjected()).isTrue();
		return third;
	}

	private void readmitAfterItsTwoSeconds(Endpoint ejected) {
		this.now += SECOND;
		this.health.readmitIfDue(ejected);
		assertThat(ejected.isEjected()).as("a latency ejection lasts its own time, 2 s here").isTrue();
		this.now += SECOND;
		this.health.readmitIfDue(ejected);
	}

	/** Eject, then readmit as soon as allowed; answers how long the ejection lasted. */
	private long ejectAndReturn() {
		fail(3);
		long ejectedAt = this.now;
		while (this.endpoint.isEjected()) {
			this.now += SECOND / 10;
			this.health.readmitIfDue(this.endpoint);
		}
		return Math.round((this.now - ejectedAt) / (double) (SECOND / 10)) * (SECOND / 10);
	}

	private void fail(int times) {
		for (int i = 0; i < times; i++) {
			this.registry.recordOutcome(this.endpoint, false);
		}
	}

	private void respond(Endpoint endpoint, int times, long latencyNanos) {
		for (int i = 0; i < times; i++) {
			this.registry.observeLatency(endpoint, latencyNanos);
		}
	}

	private PassiveHealth passiveHealth(EndpointRegistry registry, int consecutiveFailures, long maxNanos,
			int maxPercent) {
		return new PassiveHealth(registry,
				new PassiveHealth.Settings(consecutiveFailures, SECOND, maxNanos, maxPercent, 2 * SECOND),
				new LatencyOutliers(3, 20 * MS, 20), () -> this.now);
	}

}
