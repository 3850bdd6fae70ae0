package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker killed with SIGKILL is taken out of every pool within fall x interval plus a
 * margin, and comes back after rise probes once restarted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.health.interval=200ms", "cluster.health.timeout=200ms",
				"cluster.health.rise=2", "cluster.health.fall=3" })
@AutoConfigureWebTestClient
@DirtiesContext
class ActiveHealthCheckIntegrationTests {

	static final WorkerProcesses workers = WorkerProcesses.start(2);

	@Autowired
	WebTestClient client;

	@Autowired
	EndpointRegistry registry;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void workers(DynamicPropertyRegistry registry) {
		workers.register(registry);
	}

	@AfterAll
	static void stopWorkers() {
		workers.close();
	}

	@Test
	void shouldTakeAKilledWorkerOutAndBringItBackWhenRestarted() {
		awaitTrue(() -> this.registry.endpoints().size() == 2, Duration.ofSeconds(5));
		Endpoint second = endpointOnPort(workers.port(1));

		workers.kill(1);
		long killedAt = System.nanoTime();
		awaitTrue(() -> !second.isUp(), Duration.ofSeconds(5));
		assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));
		for (int i = 0; i < 20; i++) {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("X-Instance-Id", "worker-1");
		}
		managementHealth().jsonPath("$.components.upstreams.components.worker-service.details.down").isEqualTo(1);

		workers.restart(1);
		awaitTrue(second::isUp, Duration.ofSeconds(10));
		Set<String> answeredBy = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			answeredBy.add(this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isOk()
				.returnResult(String.class)
				.getResponseHeaders()
				.getFirst("X-Instance-Id"));
		}
		assertThat(answeredBy).containsExactlyInAnyOrder("worker-1", "worker-2");
		managementHealth().jsonPath("$.components.upstreams.status").isEqualTo("UP");
	}

	private WebTestClient.BodyContentSpec managementHealth() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectBody();
	}

	private Endpoint endpointOnPort(int port) {
		return this.registry.endpoints()
			.stream()
			.filter((endpoint) -> endpoint.address().endsWith(":" + port))
			.findFirst()
			.orElseThrow();
	}

	private static void awaitTrue(BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition not met within " + timeout).isLessThan(deadline);
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
