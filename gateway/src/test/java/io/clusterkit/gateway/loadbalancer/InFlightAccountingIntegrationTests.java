package io.clusterkit.gateway.loadbalancer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.Accounting;
import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.http.client.HttpClient;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a proxied request can end brings every in-flight counter back to exactly 0,
 * and a long request (SSE, WebSocket) stays counted until its very end.
 */
class InFlightAccountingIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2);

	static void awaitAllIdle(EndpointRegistry registry) {
		awaitInFlight(registry, 0);
		// each counter, not only their sum: a negative one would be a double release
		assertThat(registry.endpoints()).isNotEmpty()
			.allSatisfy((endpoint) -> assertThat(endpoint.inFlight()).as(endpoint.address()).isZero());
	}

	static long failures(EndpointRegistry registry) {
		return registry.endpoints().stream().mapToLong(Endpoint::failures).sum();
	}

	static void awaitInFlight(EndpointRegistry registry, int expected) {
		Await.until(expected + " requests in flight", Duration.ofSeconds(10),
				() -> Accounting.inFlight(registry) == expected);
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
	@AutoConfigureWebTestClient
	@DirtiesContext
	class ReachableWorkers {

		@Autowired
		WebTestClient client;

		@Autowired
		EndpointRegistry registry;

		@LocalServerPort
		int port;

		@AfterEach
		void countersAreBackToZero() {
			awaitAllIdle(this.registry);
		}

		@Test
		void shouldReleaseOnSuccess() {
			Flux.range(0, 40)
				.flatMap((i) -> this.client.get()
					.uri("/api/v1/hello")
					.exchange()
					.returnResult(String.class)
					.getResponseBody()
					.then(), 8)
				.blockLast(Duration.ofSeconds(20));
			assertThat(this.registry.endpoints()).hasSize(2)
				.allSatisfy((endpoint) -> assertThat(endpoint.sent()).isPositive());
		}

		@Test
		void shouldReleaseOnUpstreamErrorResponse() {
			this.client.get().uri("/api/v1/work?cpuMs=-1").exchange().expectStatus().isBadRequest();
			this.client.post()
				.uri("/api/v1/echo")
				.contentType(MediaType.IMAGE_PNG)
				.bodyValue(new byte[] { 1 })
				.exchange()
				.expectStatus()
				.isEqualTo(415);
		}

		@Test
		void shouldReleaseWhenTheClientHangsUpMidRequest() throws IOException {
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				OutputStream out = socket.getOutputStream();
				out.write("GET /api/v1/work?sleepMs=5000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
					.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				awaitInFlight(this.registry, 1);
			}
		}

		@Test
		void shouldCountAServerSentEventStreamUntilItEnds() {
			List<ServerSentEvent<String>> events = this.client.get()
				.uri("/api/v1/stream?events=4&intervalMs=300")
				.accept(MediaType.TEXT_EVENT_STREAM)
				.exchange()
				.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {
				})
				.getResponseBody()
				.doOnNext((event) -> {
					if ("2".equals(event.id())) {
						assertThat(Accounting.inFlight(this.registry)).isEqualTo(1);
					}
				})
				.collectList()
				.block(Duration.ofSeconds(10));
			assertThat(events).hasSize(4);
		}

		@Test
		void shouldReleaseWhenTheClientLeavesAServerSentEventStream() throws IOException {
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				OutputStream out = socket.getOutputStream();
				out.write(
						"GET /api/v1/stream?events=100&intervalMs=100 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
							.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				InputStream in = socket.getInputStream();
				byte[] buffer = new byte[256];
				assertThat(in.read(buffer)).isPositive();
				awaitInFlight(this.registry, 1);
			}
		}

		@Test
		void shouldNotBlameTheInstanceWhenClientsHangUpMidResponse() throws InterruptedException {
			long failuresBefore = failures(this.registry);
			for (int round = 0; round < 5; round++) {
				// a load generator that stops: 32 keep-alive connections closed at once,
				// some
				// while the gateway writes their answers
				ConnectionProvider connections = ConnectionProvider.create("hang-up", 32);
				HttpClient client = HttpClient.create(connections).baseUrl("http://127.0.0.1:" + this.port);
				Disposable load = Flux.range(0, Integer.MAX_VALUE)
					.flatMap((i) -> client.get().uri("/api/v1/hello").responseContent().then().onErrorComplete(), 32)
					.subscribe();
				Await.until("traffic", Duration.ofSeconds(10), () -> Accounting.inFlight(this.registry) > 0);
				Thread.sleep(300);
				connections.dispose();
				load.dispose();
			}
			// connections still in the accept queue are served after the last close
			long[] idleSince = { System.nanoTime() };
			Await.until("no request in flight for 500 ms", Duration.ofSeconds(15), () -> {
				if (Accounting.inFlight(this.registry) != 0) {
					idleSince[0] = System.nanoTime();
				}
				return System.nanoTime() - idleSince[0] > Duration.ofMillis(500).toNanos();
			});
			awaitAllIdle(this.registry);
			assertThat(failures(this.registry)).isEqualTo(failuresBefore);
		}

		@Test
		void shouldCountAWebSocketUntilItCloses() throws Exception {
			Sinks.Empty<Void> hangUp = Sinks.empty();
			CompletableFuture<Void> session = new ReactorNettyWebSocketClient()
				.execute(URI.create("ws://127.0.0.1:" + this.port + "/ws/echo"),
						(socket) -> socket.send(Mono.just(socket.textMessage("hi")))
							.thenMany(socket.receive().take(1))
							.then(hangUp.asMono())
							.then(socket.close()))
				.toFuture();
			awaitInFlight(this.registry, 1);
			hangUp.tryEmitEmpty();
			session.get(10, TimeUnit.SECONDS);
		}

	}

	/**
	 * A short response timeout of its own: where every request may be answered late on a
	 * busy machine, a timeout this short would charge the instances with the machine's
	 * slowness.
	 */
	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.proxy.response-timeout=1s" })
	@AutoConfigureWebTestClient
	@DirtiesContext
	class SilentWorker {

		@Autowired
		WebTestClient client;

		@Autowired
		EndpointRegistry registry;

		@Test
		void shouldReleaseOnUpstreamTimeoutAndChargeTheSilentInstance() {
			long failuresBefore = failures(this.registry);
			this.client.get().uri("/api/v1/work?sleepMs=5000").exchange().expectStatus().isEqualTo(504);
			awaitAllIdle(this.registry);
			Await.until("the silence charged", Duration.ofSeconds(5),
					() -> failures(this.registry) == failuresBefore + 1);
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					"spring.cloud.discovery.client.simple.instances.worker-service[0].uri=http://127.0.0.1:1" })
	@AutoConfigureWebTestClient
	@DirtiesContext
	class UnreachableWorker {

		@Autowired
		WebTestClient client;

		@Autowired
		EndpointRegistry registry;

		@Test
		void shouldReleaseOnConnectFailure() {
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isEqualTo(502);
			awaitAllIdle(this.registry);
			// with no other instance the two retries go to the same one
			assertThat(this.registry.endpoints()).singleElement()
				.satisfies((endpoint) -> assertThat(endpoint.sent()).isEqualTo(3));
		}

	}

}
