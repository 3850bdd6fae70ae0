package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One of three workers killed with SIGKILL under steady load costs the clients nothing
 * (retries cover the requests that meet it), is taken out of every pool within fall x
 * interval plus a margin, and once restarted comes back after rise probes, ramping its
 * share per slow start. A killed worker refuses connections at once: the probe timeout is
 * generous, so that a live worker slowed by a starved CPU is not taken for a second one
 * down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.health.interval=200ms", "cluster.health.timeout=1s",
				"cluster.health.rise=2", "cluster.health.fall=3", "cluster.health.ejection.base-time=1s",
				"cluster.balancer.slow-start.window=" + ActiveHealthCheckIntegrationTests.SLOW_START_SECONDS + "s" })
@AutoConfigureWebTestClient
@DirtiesContext
class ActiveHealthCheckIntegrationTests {

	static final int SLOW_START_SECONDS = 4;

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	@Autowired
	EndpointRegistry registry;

	@LocalManagementPort
	int managementPort;

	@LocalServerPort
	int port;

	@Test
	void shouldTakeAKilledWorkerOutAndRampItBackWhenRestarted() {
		Await.until("3 endpoints known", Duration.ofSeconds(5), () -> this.registry.endpoints().size() == 3);
		Endpoint second = endpointOnPort(workers.port(1));
		AtomicBoolean loading = new AtomicBoolean(true);
		Queue<Answer> answers = new ConcurrentLinkedQueue<>();
		CompletableFuture<Void> load = steadyLoad(loading, answers);
		Await.until("load under way", Duration.ofSeconds(20), () -> answers.size() > 50);

		workers.kill(1);
		long killedAt = System.nanoTime();
		Await.until("the killed worker DOWN", Duration.ofSeconds(5), () -> !second.isUp());
		assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));
		long sentWhenDown = second.sent();
		Await.sleep(500);
		assertThat(second.sent()).as("requests sent to the DOWN instance").isEqualTo(sentWhenDown);
		managementHealth().jsonPath("$.components.upstreams.components.worker-service.details.down").isEqualTo(1);

		workers.restart(1);
		Await.until("the restarted worker UP", Duration.ofSeconds(10), second::isUp);
		long upAt = System.nanoTime();
		Await.sleep(SLOW_START_SECONDS * 1000L + 2000);
		loading.set(false);
		load.join();

		assertThat(answers).extracting(Answer::status)
			.as("statuses under load across kill and restart")
			.containsOnly(200);
		long window = Duration.ofSeconds(SLOW_START_SECONDS).toNanos();
		double rampingShare = shareOf("worker-2", answers, upAt, upAt + window / 2);
		double rampedShare = shareOf("worker-2", answers, upAt + window, Long.MAX_VALUE);
		assertThat(rampedShare).as("share of the restarted worker once ramped").isGreaterThan(0.1);
		assertThat(rampingShare).as("share in the first half of its ramp").isLessThan(rampedShare / 2);
		managementHealth().jsonPath("$.components.upstreams.status").isEqualTo("UP");
	}

	private static double shareOf(String instance, Queue<Answer> answers, long from, long to) {
		List<Answer> during = answers.stream().filter((answer) -> answer.at() - from >= 0 && answer.at() < to).toList();
		assertThat(during).as("answers from %d to %d", from, to).hasSizeGreaterThan(20);
		return during.stream().filter((answer) -> instance.equals(answer.instance())).count() / (double) during.size();
	}

	private CompletableFuture<Void> steadyLoad(AtomicBoolean loading, Queue<Answer> answers) {
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);
		return Flux.range(0, Integer.MAX_VALUE)
			.takeWhile((i) -> loading.get())
			.flatMap((i) -> client.get()
				.uri("/api/v1/hello")
				.exchangeToMono((response) -> response.releaseBody()
					.thenReturn(new Answer(System.nanoTime(), response.statusCode().value(),
							response.headers().asHttpHeaders().getFirst("X-Instance-Id"))))
				.onErrorResume((ex) -> Mono.just(new Answer(System.nanoTime(), -1, ex.toString()))), 4)
			.doOnNext(answers::add)
			.then()
			.toFuture();
	}

	private record Answer(long at, int status, String instance) {
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

}
