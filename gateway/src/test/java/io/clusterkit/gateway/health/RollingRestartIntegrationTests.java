package io.clusterkit.gateway.health;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every worker restarted with SIGTERM, one after another, under mixed GET and POST load:
 * not one request fails. The worker drains (readiness OUT_OF_SERVICE while it still
 * serves), the gateway marks it DOWN before its port closes, POSTs are never sent to a
 * closing instance, and GETs that meet one are retried.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.health.ejection.base-time=1s" })
@DirtiesContext
class RollingRestartIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	@LocalServerPort
	int port;

	@Test
	void shouldLoseNoRequestDuringARollingRestart() {
		AtomicBoolean loading = new AtomicBoolean(true);
		Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);
		CompletableFuture<Void> load = Flux.range(0, Integer.MAX_VALUE)
			.takeWhile((i) -> loading.get())
			.flatMap((i) -> request(client, i), 4)
			.doOnNext((outcome) -> outcomes.computeIfAbsent(outcome, (o) -> new AtomicInteger()).incrementAndGet())
			.then()
			.toFuture();
		for (int i = 0; i < workers.size(); i++) {
			workers.stop(i);
			workers.restart(i);
			Await.sleep(3000);
		}
		loading.set(false);
		load.join();
		assertThat(outcomes.keySet()).as("outcomes: " + outcomes).containsOnly("GET 200", "POST 200");
		assertThat(outcomes.get("POST 200").get()).isGreaterThan(100);
	}

	private static Mono<String> request(WebClient client, int i) {
		Mono<String> outcome = (i % 2 == 0)
				? client.get()
					.uri("/api/v1/hello")
					.exchangeToMono((r) -> r.releaseBody().thenReturn("GET " + r.statusCode().value()))
				: client.post()
					.uri("/api/v1/echo")
					.contentType(MediaType.TEXT_PLAIN)
					.bodyValue("post " + i)
					.exchangeToMono((r) -> r.releaseBody().thenReturn("POST " + r.statusCode().value()));
		return outcome
			.onErrorResume((ex) -> Mono.just(((i % 2 == 0) ? "GET " : "POST ") + ex.getClass().getSimpleName()));
	}

}
