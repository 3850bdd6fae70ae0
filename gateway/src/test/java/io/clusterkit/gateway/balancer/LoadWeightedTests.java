package io.clusterkit.gateway.balancer;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoadWeightedTests {

	final AtomicLong clock = new AtomicLong();

	final LoadWeighted balancer = new LoadWeighted(this.clock::get, LoadWeighted.PERIOD_NANOS);

	@Test
	void shouldWeighByRequestsPerUnitOfCpu() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		report(endpoints.get(0), 0.5, 100, 0);
		report(endpoints.get(1), 0.25, 100, 0);
		assertThat(Endpoints.counts(Pool.of(endpoints), this.balancer, 300)).containsExactly(100, 200);
	}

	@Test
	void shouldCountErrorsAsUtilization() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		// half its answers errors: 0.5 + 1.0 x 50 / 100 = as busy as a saturated CPU
		report(endpoints.get(0), 0.5, 100, 50);
		report(endpoints.get(1), 0.5, 100, 0);
		assertThat(Endpoints.counts(Pool.of(endpoints), this.balancer, 300)).containsExactly(100, 200);
	}

	@Test
	void shouldGiveAnInstanceWithoutAReportTheMeanWeight() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1, 1);
		report(endpoints.get(0), 0.5, 100, 0);
		report(endpoints.get(2), 0.25, 100, 0);
		assertThat(LoadWeighted.weights(Pool.of(endpoints))).containsExactly(50, 75, 100);
	}

	@Test
	void shouldSpreadEvenlyWithoutAnyReportAndHonourConfiguredWeights() {
		assertThat(Endpoints.counts(Pool.of(Endpoints.withWeights(1, 1, 1)), this.balancer, 300)).containsExactly(100,
				100, 100);
		assertThat(LoadWeighted.weights(Pool.of(Endpoints.withWeights(1, 3)))).containsExactly(33, 100);
	}

	@Test
	void shouldComputeWeightsAgainOncePerPeriod() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		Pool pool = Pool.of(endpoints);
		report(endpoints.get(0), 0.5, 100, 0);
		report(endpoints.get(1), 0.5, 100, 0);
		assertThat(Endpoints.counts(pool, this.balancer, 200)).containsExactly(100, 100);
		report(endpoints.get(1), 0.1, 100, 0);
		this.clock.addAndGet(LoadWeighted.PERIOD_NANOS / 2);
		assertThat(Endpoints.counts(pool, this.balancer, 200)).as("within the period").containsExactly(100, 100);
		this.clock.addAndGet(LoadWeighted.PERIOD_NANOS / 2);
		assertThat(Endpoints.counts(pool, this.balancer, 600)).containsExactly(100, 500);
	}

	private void report(Endpoint endpoint, double cpu, double rps, double eps) {
		endpoint.report(new LoadReport(cpu, rps, eps, 0, this.clock.get()), 0);
	}

}
