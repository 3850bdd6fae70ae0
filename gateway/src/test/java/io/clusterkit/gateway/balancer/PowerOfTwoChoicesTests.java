package io.clusterkit.gateway.balancer;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PowerOfTwoChoicesTests {

	@RepeatedTest(200)
	void shouldNeverPickTheBusierOfItsTwo(RepetitionInfo repetition) {
		long seed = repetition.getCurrentRepetition() * 7919L;
		SplittableRandom setup = new SplittableRandom(seed);
		int size = setup.nextInt(2, 16);
		List<Endpoint> endpoints = Endpoints.withWeights(setup.ints(size, 1, 10).toArray());
		endpoints.forEach((endpoint) -> Endpoints.setInFlight(endpoint, setup.nextInt(0, 20)));
		Pool pool = Pool.of(endpoints);
		// the same seed replays the balancer's two draws
		SplittableRandom replay = new SplittableRandom(seed + 1);
		int first = pool.sample(replay);
		int second = pool.sampleOther(replay, first);
		int picked = PowerOfTwoChoices.leastRequest(new SplittableRandom(seed + 1)).pick(pool);
		assertThat(picked).isIn(first, second);
		int other = (picked == first) ? second : first;
		assertThat((pool.get(picked).inFlight() + 1.0) / pool.weight(picked))
			.isLessThanOrEqualTo((pool.get(other).inFlight() + 1.0) / pool.weight(other));
	}

	@Test
	void shouldAlwaysTakeTheLessLoadedOfTwo() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		Endpoints.setInFlight(endpoints.get(0), 4);
		Pool pool = Pool.of(endpoints);
		Balancer balancer = PowerOfTwoChoices.leastRequest(new SplittableRandom(7));
		assertThat(Endpoints.counts(pool, balancer, 100)).containsExactly(0, 100);
	}

	@Test
	void shouldRespectWeightsWhenIdle() {
		// weights 6:3:1 — the draw is proportional to weight, and of two idle endpoints
		// the
		// heavier wins, so heavier ones are favoured more than proportionally
		Pool pool = Pool.of(Endpoints.withWeights(6, 3, 1));
		int[] counts = Endpoints.counts(pool, PowerOfTwoChoices.leastRequest(new SplittableRandom(42)), 100_000);
		assertThat(counts[0]).isGreaterThan(counts[1]);
		assertThat(counts[1]).isGreaterThan(counts[2]);
		assertThat(counts[2]).isZero();
	}

	@Test
	void shouldSampleInProportionToWeight() {
		Pool pool = Pool.of(Endpoints.withWeights(5, 1, 1, 3));
		SplittableRandom random = new SplittableRandom(1);
		int[] counts = new int[pool.size()];
		int draws = 200_000;
		for (int i = 0; i < draws; i++) {
			counts[pool.sample(random)]++;
		}
		assertThat(counts[0] / (double) draws).isCloseTo(0.5, within(0.01));
		assertThat(counts[1] / (double) draws).isCloseTo(0.1, within(0.01));
		assertThat(counts[3] / (double) draws).isCloseTo(0.3, within(0.01));
	}

	@RepeatedTest(20)
	void shouldNeverSampleTheExcludedOne(RepetitionInfo repetition) {
		SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
		Pool pool = Pool.of(Endpoints.withWeights(random.ints(random.nextInt(2, 10), 1, 1000).toArray()));
		for (int i = 0; i < 1000; i++) {
			int excluded = random.nextInt(pool.size());
			assertThat(pool.sampleOther(random, excluded)).isNotEqualTo(excluded).isBetween(0, pool.size() - 1);
		}
	}

	@Test
	void shouldPickTheOnlyOne() {
		Pool pool = Pool.of(Endpoints.withWeights(0, 3));
		assertThat(PowerOfTwoChoices.leastRequest(new SplittableRandom()).pick(pool)).isZero();
		assertThat(pool.get(0).address()).isEqualTo("b");
	}

}
