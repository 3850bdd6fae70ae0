package io.clusterkit.gateway.retry;

import java.util.HashSet;
import java.util.Set;

import io.clusterkit.gateway.WorkerProcesses;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One healthy worker, one answering 503 to every /api request, one that refuses
 * connections; health checks off, so only retries stand between the client and the bad
 * two.
 */
class RetryIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses
		.start(2, new String[0], new String[] { "--worker.faults.error-rate=1.0" })
		.withInstance("http://127.0.0.1:1");

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.health.enabled=false",
					"cluster.balancer.algorithm=round-robin", "cluster.retry.budget.percent=100" })
	@AutoConfigureWebTestClient
	@DirtiesContext
	class WithinBudget {

		@Autowired
		WebTestClient client;

		@Autowired
		MeterRegistry meters;

		@Test
		void shouldAnswerEveryIdempotentRequestFromTheHealthyWorker() {
			for (int i = 0; i < 30; i++) {
				this.client.get()
					.uri("/api/v1/hello")
					.exchange()
					.expectStatus()
					.isOk()
					.expectHeader()
					.valueEquals("X-Instance-Id", "worker-1");
			}
			// round robin over one good instance of three: two of three first attempts
			// fail
			assertThat(this.meters.get("cluster.retries").counter().count()).isGreaterThanOrEqualTo(15);
			assertThat(this.meters.get("cluster.retries.refused").counter().count()).isZero();
		}

		@Test
		void shouldNeverRetryAPost() {
			Set<Integer> statuses = new HashSet<>();
			for (int i = 0; i < 6; i++) {
				statuses.add(this.client.post()
					.uri("/api/v1/echo")
					.contentType(MediaType.TEXT_PLAIN)
					.bodyValue("once")
					.exchange()
					.expectHeader()
					.value("Content-Type", (type) -> assertThat(type).isNotBlank())
					.returnResult(String.class)
					.getStatus()
					.value());
			}
			// round robin over the three: the healthy one echoes, the failing one's 503
			// and
			// the refused connection's 502 reach the client as they are
			assertThat(statuses).containsExactlyInAnyOrder(200, 502, 503);
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.health.enabled=false",
					"cluster.balancer.algorithm=round-robin", "cluster.retry.budget.percent=0",
					"cluster.retry.budget.min-per-second=0" })
	@AutoConfigureWebTestClient
	@DirtiesContext
	class BudgetSpent {

		@Autowired
		WebTestClient client;

		@Autowired
		MeterRegistry meters;

		@Test
		void shouldLetFailuresThroughOnceTheBudgetIsSpent() {
			Set<Integer> statuses = new HashSet<>();
			for (int i = 0; i < 6; i++) {
				statuses.add(this.client.get()
					.uri("/api/v1/hello")
					.exchange()
					.returnResult(String.class)
					.getStatus()
					.value());
			}
			assertThat(statuses).containsExactlyInAnyOrder(200, 502, 503);
			assertThat(this.meters.get("cluster.retries.refused").counter().count()).isPositive();
			assertThat(this.meters.get("cluster.retries").counter().count()).isZero();
		}

	}

}
