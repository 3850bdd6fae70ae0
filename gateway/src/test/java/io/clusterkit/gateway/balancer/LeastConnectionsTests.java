package io.clusterkit.gateway.balancer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeastConnectionsTests {

	@Test
	void shouldPickTheFewestInFlight() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1, 1, 1);
		Endpoints.setInFlight(endpoints.get(0), 3);
		Endpoints.setInFlight(endpoints.get(1), 1);
		Endpoints.setInFlight(endpoints.get(2), 2);
		Endpoints.setInFlight(endpoints.get(3), 5);
		Pool pool = Pool.of(endpoints);
		Balancer balancer = new LeastConnections();
		for (int i = 0; i < 10; i++) {
			assertThat(balancer.pick(pool)).isEqualTo(1);
		}
	}

	@Test
	void shouldCountWhatOtherGatewaysHaveInFlightWhileTheReportIsFresh() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1, 1);
		Endpoints.setInFlight(endpoints.get(0), 1);
		// the instance answers one of ours with 9 in flight: 8 came from elsewhere
		endpoints.get(0).report(new LoadReport(0.9, 100, 0, 9, 1_000), 1);
		Endpoints.setInFlight(endpoints.get(1), 2);
		Endpoints.setInFlight(endpoints.get(2), 3);
		Pool pool = Pool.of(endpoints);
		Balancer balancer = new LeastConnections();
		assertThat(endpoints.get(0).load()).isEqualTo(9);
		assertThat(balancer.pick(pool)).isEqualTo(1);
		endpoints.get(0).expireReport(1_001);
		assertThat(endpoints.get(0).loadReport()).isNull();
		assertThat(balancer.pick(pool)).as("an expired report counts for nothing").isEqualTo(0);
	}

	@Test
	void shouldBalanceASingleGatewayAsWithoutReports() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		Endpoints.setInFlight(endpoints.get(0), 4);
		// every request in flight there is ours: nothing elsewhere
		endpoints.get(0).report(new LoadReport(0.5, 100, 0, 4, 1_000), 4);
		endpoints.get(0).expireReport(999);
		assertThat(endpoints.get(0).load()).isEqualTo(4);
		assertThat(endpoints.get(0).loadReport()).as("still fresh").isNotNull();
	}

	@Test
	void shouldNotTakeOwnRequestsSentMeanwhileForOtherGateways() {
		Endpoint endpoint = Endpoints.withWeights(1).get(0);
		int ownAtSend = endpoint.acquire();
		// two more of ours were sent after it and overtook it to the instance
		endpoint.acquire();
		endpoint.acquire();
		endpoint.report(new LoadReport(0.5, 100, 0, 3, 1_000), ownAtSend);
		assertThat(endpoint.load()).isEqualTo(3);
	}

	@Test
	void shouldRotateTiesWhenAllIdle() {
		Pool pool = Pool.of(Endpoints.withWeights(1, 1, 1));
		Balancer balancer = new LeastConnections();
		Set<Integer> picked = new HashSet<>();
		for (int i = 0; i < 3; i++) {
			picked.add(balancer.pick(pool));
		}
		assertThat(picked).containsExactlyInAnyOrder(0, 1, 2);
	}

	@Test
	void shouldSpreadRequestsThatStayInFlight() {
		Pool pool = Pool.of(Endpoints.withWeights(1, 1, 1));
		Balancer balancer = new LeastConnections();
		for (int i = 0; i < 30; i++) {
			pool.get(balancer.pick(pool)).acquire();
		}
		assertThat(List.of(pool.get(0).inFlight(), pool.get(1).inFlight(), pool.get(2).inFlight())).containsExactly(10,
				10, 10);
	}

	@Test
	void shouldHonourWeights() {
		Pool pool = Pool.of(Endpoints.withWeights(3, 1));
		Balancer balancer = new LeastConnections();
		for (int i = 0; i < 400; i++) {
			pool.get(balancer.pick(pool)).acquire();
		}
		assertThat(pool.get(0).inFlight()).isBetween(299, 301);
	}

	@Test
	void shouldFavourTheHeavierWhenAllIdle() {
		Pool pool = Pool.of(Endpoints.withWeights(1, 4, 1));
		Balancer balancer = new LeastConnections();
		for (int i = 0; i < 10; i++) {
			assertThat(balancer.pick(pool)).isEqualTo(1);
		}
	}

	@RepeatedTest(100)
	void shouldAlwaysPickAMinimumOfLoadPerWeight(RepetitionInfo repetition) {
		SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
		int size = random.nextInt(1, 20);
		List<Endpoint> endpoints = Endpoints.withWeights(random.ints(size, 1, 50).toArray());
		endpoints.forEach((endpoint) -> Endpoints.setInFlight(endpoint, random.nextInt(0, 30)));
		Pool pool = Pool.of(endpoints);
		Balancer balancer = new LeastConnections();
		int picked = balancer.pick(pool);
		double pickedCost = (pool.get(picked).inFlight() + 1.0) / pool.weight(picked);
		for (int i = 0; i < pool.size(); i++) {
			assertThat(pickedCost).isLessThanOrEqualTo((pool.get(i).inFlight() + 1.0) / pool.weight(i) + 1e-12);
		}
	}

}
