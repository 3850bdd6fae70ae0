package io.clusterkit.gateway.balancer;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinTests {

	private static final Weighting UNWEIGHTED = new Weighting(false, 0, 100);

	private final Balancer balancer = Algorithm.ROUND_ROBIN.create(new SplittableRandom(1), () -> 0);

	@Test
	void shouldRotateOverThePoolIgnoringWeights() {
		Pool pool = unweighted(Endpoints.withWeights(1, 5, 1));
		StringBuilder sequence = new StringBuilder();
		for (int i = 0; i < 6; i++) {
			sequence.append(pool.get(this.balancer.pick(pool)).address());
		}
		assertThat(sequence).hasToString("abcabc");
		assertThat(Endpoints.counts(pool, this.balancer, 300)).containsExactly(100, 100, 100);
	}

	@Test
	void shouldSkipDrainedInstances() {
		Pool pool = unweighted(Endpoints.withWeights(3, 0, 1));
		assertThat(pool.size()).isEqualTo(2);
		assertThat(Endpoints.counts(pool, this.balancer, 100)).containsExactly(50, 50);
	}

	@Test
	void shouldKeepRotatingWhenThePoolChanges() {
		Pool three = unweighted(Endpoints.withWeights(1, 1, 1));
		assertThat(this.balancer.pick(three)).isZero();
		assertThat(this.balancer.pick(three)).isEqualTo(1);
		Pool two = unweighted(Endpoints.withWeights(1, 1));
		assertThat(Endpoints.counts(two, this.balancer, 100)).containsExactly(50, 50);
	}

	private static Pool unweighted(List<Endpoint> endpoints) {
		return Pool.of(endpoints, endpoints, UNWEIGHTED, 0);
	}

}
