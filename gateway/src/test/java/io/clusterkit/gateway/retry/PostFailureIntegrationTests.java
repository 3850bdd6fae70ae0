package io.clusterkit.gateway.retry;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A POST is never sent twice: when the worker serving it dies mid-request, the client
 * gets a 502 problem and no other worker ever sees the request.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.retry.budget.percent=100" })
@DirtiesContext
class PostFailureIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2,
			new String[] { "--worker.faults.extra-latency=20s" }, new String[] { "--worker.faults.extra-latency=20s" });

	@Autowired
	EndpointRegistry registry;

	@LocalServerPort
	int port;

	@Test
	void shouldAnswer502AndNotResendAPostWhoseWorkerDiesMidRequest() throws Exception {
		CompletableFuture<ResponseEntity<String>> answer = WebClient.create("http://127.0.0.1:" + this.port)
			.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("exactly once")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.toFuture();
		Endpoint serving = awaitServingEndpoint(Duration.ofSeconds(10));
		int dying = serving.address().endsWith(":" + workers.port(0)) ? 0 : 1;
		Endpoint other = this.registry.endpoints().stream().filter((e) -> e != serving).findFirst().orElseThrow();

		workers.kill(dying);
		ResponseEntity<String> response = answer.get(10, TimeUnit.SECONDS);

		assertThat(response.getStatusCode().value()).isEqualTo(502);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"status\":502");
		assertThat(other.sent()).as("requests sent to the surviving worker").isZero();
		assertThat(serving.sent()).isOne();
	}

	private Endpoint awaitServingEndpoint(Duration timeout) {
		return Await.value("the POST at a worker", timeout,
				() -> this.registry.endpoints().stream().filter((e) -> e.inFlight() == 1).findFirst());
	}

}
