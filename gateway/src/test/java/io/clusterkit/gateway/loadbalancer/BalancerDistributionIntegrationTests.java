package io.clusterkit.gateway.loadbalancer;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.clusterkit.gateway.Traffic;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real workers, the third 50 ms slower (its extra-latency knob), under 16
 * concurrent requests: where each algorithm sends the traffic. Asserts shares, never
 * times.
 */
class BalancerDistributionIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3, new String[0], new String[0],
			new String[] { "--worker.faults.extra-latency=200ms" });

	static final int CONCURRENCY = 4;

	static Map<String, AtomicInteger> load(int port, int requests) {
		return Traffic.hello(port, requests, CONCURRENCY);
	}

	static double share(Map<String, AtomicInteger> counts, String instance) {
		int total = counts.values().stream().mapToInt(AtomicInteger::get).sum();
		return counts.getOrDefault(instance, new AtomicInteger()).get() / (double) total;
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.balancer.algorithm=round-robin",
					"cluster.health.latency-outliers.enabled=false" })
	@DirtiesContext
	class RoundRobin {

		@LocalServerPort
		int port;

		/**
		 * The algorithm alone: latency outlier detection would take the slow worker out.
		 */
		@Test
		void shouldGiveTheSlowWorkerItsFullThird() {
			Map<String, AtomicInteger> counts = load(this.port, 300);
			assertThat(share(counts, "worker-3")).isBetween(0.30, 0.37);
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.balancer.algorithm=least-connections" })
	@DirtiesContext
	class LeastConnections {

		@LocalServerPort
		int port;

		@Test
		void shouldSendMarkedlyFewerRequestsToTheSlowWorker() {
			load(this.port, 200);
			Map<String, AtomicInteger> counts = load(this.port, 1200);
			double slow = share(counts, "worker-3");
			assertThat(slow).isLessThan(0.5 * share(counts, "worker-1"));
			assertThat(slow).isLessThan(0.5 * share(counts, "worker-2"));
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.balancer.algorithm=peak-ewma" })
	@DirtiesContext
	class PeakEwma {

		@LocalServerPort
		int port;

		@Test
		void shouldStarveTheSlowWorkerOnceEstimatesSettle() {
			load(this.port, 600);
			Map<String, AtomicInteger> counts = load(this.port, 1500);
			assertThat(share(counts, "worker-3")).isLessThan(0.01);
		}

	}

}
