package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Slow start, through the weights every algorithm reads: a linear ramp from 10 % to the
 * full weight over 10 s, restarted whenever an instance turns eligible again.
 */
class SlowStartTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final Weighting WEIGHTED = new Weighting(true, 10 * SECOND, 10);

	private static final Weighting UNWEIGHTED = new Weighting(false, 10 * SECOND, 10);

	private long now = 1000 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND, true, () -> this.now);

	@Test
	void shouldRampLinearlyFromTheInitialShareToTheFullWeight() {
		Endpoint endpoint = this.registry.endpoint("s", "h", 1, Map.of("weight", "3"));
		assertThat(WEIGHTED.weight(endpoint, this.now)).isEqualTo(3 * 2);
		assertThat(WEIGHTED.isRamping(endpoint, this.now)).isTrue();
		assertThat(WEIGHTED.weight(endpoint, this.now + 5 * SECOND)).isEqualTo(3 * 11);
		assertThat(WEIGHTED.weight(endpoint, this.now + 10 * SECOND - 1)).isEqualTo(3 * 19);
		assertThat(WEIGHTED.weight(endpoint, this.now + 10 * SECOND)).isEqualTo(3 * Weighting.STEPS);
		assertThat(WEIGHTED.isRamping(endpoint, this.now + 10 * SECOND)).isFalse();
		assertThat(UNWEIGHTED.weight(endpoint, this.now + 5 * SECOND)).isEqualTo(11);
	}

	@Test
	void shouldHoldAThrottledInstanceAtTheInitialShareThenRampItUp() {
		Endpoint endpoint = this.registry.endpoint("s", "h", 1, Map.of("weight", "3"));
		this.now += 20 * SECOND;
		long version = this.registry.version();
		this.registry.throttle(endpoint, 2 * SECOND);
		assertThat(this.registry.version()).as("its pools are rebuilt").isGreaterThan(version);
		assertThat(WEIGHTED.weight(endpoint, this.now)).isEqualTo(3 * 2);
		assertThat(WEIGHTED.isRamping(endpoint, this.now)).as("rebuilt again by the step").isTrue();
		this.registry.throttle(endpoint, SECOND);
		assertThat(endpoint.isThrottled(this.now + 2 * SECOND - 1)).as("a shorter ask shortens nothing").isTrue();
		assertThat(WEIGHTED.weight(endpoint, this.now + 2 * SECOND + 5 * SECOND)).isEqualTo(3 * 11);
		assertThat(WEIGHTED.weight(endpoint, this.now + 12 * SECOND)).isEqualTo(3 * Weighting.STEPS);
		Weighting off = new Weighting(true, 0, 10);
		this.registry.throttle(endpoint, 60 * SECOND);
		assertThat(off.weight(endpoint, this.now)).as("slow start off: cut all the same").isEqualTo(3 * 2);
		assertThat(off.stepNanos()).isEqualTo(Weighting.THROTTLE_CHECK_NANOS);
	}

	@Test
	void shouldNotRampWhenOff() {
		Endpoint endpoint = this.registry.endpoint("s", "h", 1, null);
		Weighting off = new Weighting(false, 0, 10);
		assertThat(off.weight(endpoint, this.now)).isEqualTo(Weighting.STEPS);
		assertThat(off.isRamping(endpoint, this.now)).isFalse();
		assertThat(Weighting.CONFIGURED.weight(endpoint, this.now)).isEqualTo(Weighting.STEPS);
	}

	@Test
	void shouldKeepADrainedInstanceOutWhateverTheAlgorithm() {
		Endpoint drained = this.registry.endpoint("s", "h", 1, Map.of("weight", "0"));
		assertThat(Pool.of(List.of(drained), List.of(drained), UNWEIGHTED, this.now + 20 * SECOND).isEmpty()).isTrue();
	}

	@Test
	void shouldRestartTheRampWhenAnInstanceComesBackUp() {
		Endpoint endpoint = this.registry.endpoint("s", "h", 1, null);
		this.now += 60 * SECOND;
		assertThat(UNWEIGHTED.isRamping(endpoint, this.now)).isFalse();
		this.registry.setUp(endpoint, false);
		this.now += 5 * SECOND;
		this.registry.setUp(endpoint, true);
		assertThat(UNWEIGHTED.weight(endpoint, this.now)).isEqualTo(2);
		this.registry.setUp(endpoint, true);
		this.now += 5 * SECOND;
		assertThat(UNWEIGHTED.weight(endpoint, this.now)).as("an UP already UP does not restart it").isEqualTo(11);
	}

	@Test
	void shouldRestartTheRampWhenAnEjectedInstanceIsReadmitted() {
		Endpoint endpoint = this.registry.endpoint("s", "h", 1, null);
		this.registry.endpoint("s", "h", 2, null);
		this.now += 60 * SECOND;
		this.registry.eject(endpoint, "3 consecutive failures");
		assertThat(endpoint.isEjected()).isTrue();
		this.now += 2 * SECOND;
		this.registry.readmit(endpoint);
		assertThat(endpoint.isEjected()).isFalse();
		assertThat(UNWEIGHTED.weight(endpoint, this.now)).isEqualTo(2);
	}

	@Test
	void shouldGiveANewInstanceAGrowingShareOfARoundRobin() {
		List<Endpoint> endpoints = List.of(this.registry.endpoint("s", "h", 1, null),
				this.registry.endpoint("s", "h", 2, null));
		this.now += 60 * SECOND;
		List<Endpoint> scaled = List.of(endpoints.get(0), endpoints.get(1), this.registry.endpoint("s", "h", 3, null));
		Balancer balancer = Algorithm.ROUND_ROBIN.create(new SplittableRandom(1), () -> 0);
		double previous = 0;
		for (int second = 0; second <= 10; second++) {
			Pool pool = Pool.of(scaled, scaled, UNWEIGHTED, this.now + second * SECOND);
			double share = Endpoints.counts(pool, balancer, 4200)[2] / 4200.0;
			double step = Math.min(Weighting.STEPS, 2 + 18 * second / 10);
			assertThat(share).as("second %d", second).isCloseTo(step / (step + 2 * Weighting.STEPS), within(0.01));
			assertThat(share).isGreaterThan(previous);
			assertThat(pool.isRamping()).isEqualTo(second < 10);
			previous = share;
		}
		assertThat(previous).isCloseTo(1 / 3.0, within(0.01));
	}

	@Test
	void shouldNotFloodANewIdleInstanceUnderLeastConnections() {
		List<Endpoint> endpoints = List.of(this.registry.endpoint("s", "h", 1, null),
				this.registry.endpoint("s", "h", 2, null));
		this.now += 60 * SECOND;
		List<Endpoint> scaled = List.of(endpoints.get(0), endpoints.get(1), this.registry.endpoint("s", "h", 3, null));
		endpoints.forEach((endpoint) -> Endpoints.setInFlight(endpoint, 3));
		Balancer balancer = Algorithm.LEAST_CONNECTIONS.create(new SplittableRandom(1), () -> 0);

		// without slow start, the 0 in flight of a cold instance would win the next 4
		// picks
		Pool starting = Pool.of(scaled, scaled, UNWEIGHTED, this.now);
		for (int i = 0; i < 12; i++) {
			starting.get(balancer.pick(starting)).acquire();
		}
		assertThat(scaled.get(2).inFlight()).isZero();

		Pool halfway = Pool.of(scaled, scaled, UNWEIGHTED, this.now + 5 * SECOND);
		for (int i = 0; i < 12; i++) {
			halfway.get(balancer.pick(halfway)).acquire();
		}
		assertThat(scaled.get(2).inFlight()).isBetween(4, 6);

		Pool ramped = Pool.of(scaled, scaled, UNWEIGHTED, this.now + 10 * SECOND);
		for (int i = 0; i < 30; i++) {
			ramped.get(balancer.pick(ramped)).acquire();
		}
		assertThat(scaled).allSatisfy((endpoint) -> assertThat(endpoint.inFlight()).isEqualTo(20));
	}

	@Test
	void shouldBoundTheSmoothCycleOfLargeCoprimeRampingWeights() {
		int[] weights = new int[64];
		for (int i = 0; i < weights.length; i++) {
			weights[i] = (997 - i) * (Weighting.STEPS - (i % 3));
		}
		int[] schedule = SmoothWeightedRoundRobin.schedule(weights);
		assertThat(schedule.length).isLessThanOrEqualTo(SmoothWeightedRoundRobin.MAX_CYCLE + weights.length);
		long total = 0;
		for (int weight : weights) {
			total += weight;
		}
		int[] counts = new int[weights.length];
		for (int index : schedule) {
			counts[index]++;
		}
		for (int i = 0; i < weights.length; i++) {
			assertThat(counts[i] / (double) schedule.length).isCloseTo(weights[i] / (double) total, within(1e-4));
		}
	}

}
