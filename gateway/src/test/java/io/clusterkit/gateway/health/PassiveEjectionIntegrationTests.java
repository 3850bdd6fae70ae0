package io.clusterkit.gateway.health;

import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker whose API answers 503 while its readiness stays UP: active checks cannot see
 * it, passive ejection does, and retries cover the requests that met it before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.balancer.algorithm=round-robin" })
@AutoConfigureWebTestClient
@DirtiesContext
class PassiveEjectionIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2, new String[0],
			new String[] { "--worker.faults.error-rate=1.0" });

	@Autowired
	WebTestClient client;

	@Autowired
	EndpointRegistry registry;

	@Test
	void shouldEjectTheFailingWorkerWhileClientsSeeNoError() {
		for (int i = 0; i < 30; i++) {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("X-Instance-Id", "worker-1");
		}
		Endpoint failing = this.registry.endpoints()
			.stream()
			.filter((endpoint) -> endpoint.address().endsWith(":" + workers.port(1)))
			.findFirst()
			.orElseThrow();
		assertThat(failing.isEjected()).isTrue();
		assertThat(failing.isUp()).as("readiness stays UP").isTrue();
		long sentBefore = failing.sent();
		for (int i = 0; i < 20; i++) {
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
		}
		assertThat(failing.sent()).isEqualTo(sentBefore);
	}

}
