package io.clusterkit.gateway.balancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinTests {

	@Test
	void shouldRotateOverThePool() {
		Pool pool = Pool.of(Endpoints.withWeights(1, 5, 1));
		assertThat(Endpoints.counts(pool, new RoundRobin(), 300)).containsExactly(100, 100, 100);
	}

	@Test
	void shouldKeepRotatingWhenThePoolChanges() {
		RoundRobin balancer = new RoundRobin();
		Pool three = Pool.of(Endpoints.withWeights(1, 1, 1));
		assertThat(balancer.pick(three)).isZero();
		assertThat(balancer.pick(three)).isEqualTo(1);
		Pool two = Pool.of(Endpoints.withWeights(1, 1));
		assertThat(Endpoints.counts(two, balancer, 100)).containsExactly(50, 50);
	}

}
