package io.clusterkit.gateway.balancer;

import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AlgorithmTests {

	@Test
	void shouldCreateAWorkingBalancerForEveryAlgorithm() {
		for (Algorithm algorithm : Algorithm.values()) {
			Pool pool = Pool.of(Endpoints.withWeights(2, 1, 1));
			Balancer balancer = algorithm.create(new SplittableRandom(1), System::nanoTime);
			int[] counts = new int[pool.size()];
			for (int i = 0; i < 400; i++) {
				int picked = balancer.pick(pool);
				// requests stay in flight, so load-aware algorithms spread them too
				pool.get(picked).acquire();
				counts[picked]++;
			}
			assertThat(counts).as(algorithm.id()).doesNotContain(0);
		}
	}

	@Test
	void shouldRefuseWeightsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("a", 1001, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("a", -1, 1));
	}

	@Test
	void shouldLeaveAnAllDrainedPoolEmpty() {
		assertThat(Pool.of(Endpoints.withWeights(0, 0)).isEmpty()).isTrue();
	}

	@Test
	void shouldParseWeightsStrictly() {
		assertThat(EndpointRegistry.parseWeight(" 7 ")).isEqualTo(7);
		assertThat(EndpointRegistry.parseWeight("0")).isZero();
		assertThat(EndpointRegistry.parseWeight("1001")).isEqualTo(-1);
		assertThat(EndpointRegistry.parseWeight("heavy")).isEqualTo(-1);
		assertThat(EndpointRegistry.parseWeight(null)).isEqualTo(-1);
	}

	@Test
	void shouldFallBackToWeightOneForBadMetadata() {
		EndpointRegistry registry = new EndpointRegistry(1, () -> 0);
		assertThat(registry.endpoint("s", "h", 1, Map.of("weight", "lots")).weight()).isEqualTo(1);
		assertThat(registry.endpoint("s", "h", 2, Map.of("weight", "4")).weight()).isEqualTo(4);
		assertThat(registry.endpoint("s", "h", 2, Map.of())).isSameAs(registry.endpoint("s", "h", 2, null));
	}

}
