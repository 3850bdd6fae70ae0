package io.clusterkit.gateway.balancer;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmoothWeightedRoundRobinTests {

	@Test
	void shouldInterleaveLikeNginx() {
		Pool pool = Pool.of(Endpoints.withWeights(5, 1, 1));
		Balancer balancer = new SmoothWeightedRoundRobin();
		StringBuilder sequence = new StringBuilder();
		for (int i = 0; i < 14; i++) {
			sequence.append(pool.get(balancer.pick(pool)).address());
		}
		assertThat(sequence).hasToString("aabacaa" + "aabacaa");
	}

	@Test
	void shouldReduceWeightsByTheirCommonDivisor() {
		assertThat(SmoothWeightedRoundRobin.schedule(new int[] { 200, 100 })).containsExactly(0, 1, 0);
	}

	@Test
	void shouldSkipDrainedInstances() {
		Pool pool = Pool.of(Endpoints.withWeights(2, 0, 1));
		Balancer balancer = new SmoothWeightedRoundRobin();
		StringBuilder sequence = new StringBuilder();
		for (int i = 0; i < 6; i++) {
			sequence.append(pool.get(balancer.pick(pool)).address());
		}
		assertThat(sequence).hasToString("acaaca");
	}

	@RepeatedTest(50)
	void shouldGiveExactProportionsOverEveryFullCycle(RepetitionInfo repetition) {
		SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
		int[] weights = random.ints(random.nextInt(1, 9), 1, 20).toArray();
		int total = 0;
		for (int weight : weights) {
			total += weight;
		}
		Pool pool = Pool.of(Endpoints.withWeights(weights));
		Balancer balancer = new SmoothWeightedRoundRobin();
		int cycle = pool.smoothSchedule().length;
		for (int round = 0; round < 3; round++) {
			int[] counts = Endpoints.counts(pool, balancer, cycle);
			for (int i = 0; i < weights.length; i++) {
				assertThat((long) counts[i] * total).as("weights %s", Arrays.toString(weights))
					.isEqualTo((long) weights[i] * cycle);
			}
		}
	}

}
