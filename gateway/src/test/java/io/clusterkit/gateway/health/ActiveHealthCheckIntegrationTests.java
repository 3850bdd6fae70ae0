package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker killed with SIGKILL under steady load costs the clients nothing (retries cover
 * the requests that meet it), is taken out of every pool within fall x interval plus a
 * margin, and comes back after rise probes once restarted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.health.interval=200ms", "cluster.health.timeout=200ms",
				"cluster.health.rise=2", "cluster.health.fall=3", "cluster.health.ejection.base-time=1s" })
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

	@LocalServerPort
	int port;

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

		AtomicBoolean loading = new AtomicBoolean(true);
		Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
		CompletableFuture<Void> load = steadyLoad(loading, statuses);
		awaitTrue(() -> statuses.values().stream().mapToInt(AtomicInteger::get).sum() > 50, Duration.ofSeconds(20));
		workers.kill(1);
		long killedAt = System.nanoTime();
		awaitTrue(() -> !second.isUp(), Duration.ofSeconds(5));
		assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));
		sleepMillis(500);
		loading.set(false);
		load.join();
		assertThat(statuses.keySet()).as("statuses under load across the kill: " + statuses).containsOnly(200);
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

	private CompletableFuture<Void> steadyLoad(AtomicBoolean loading, Map<Integer, AtomicInteger> statuses) {
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);
		return Flux.range(0, Integer.MAX_VALUE)
			.takeWhile((i) -> loading.get())
			.flatMap((i) -> client.get()
				.uri("/api/v1/hello")
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
				.onErrorReturn(-1), 4)
			.doOnNext((status) -> statuses.computeIfAbsent(status, (s) -> new AtomicInteger()).incrementAndGet())
			.then()
			.toFuture();
	}

	private static void sleepMillis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
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
