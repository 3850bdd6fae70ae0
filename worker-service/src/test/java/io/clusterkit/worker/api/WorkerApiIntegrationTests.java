package io.clusterkit.worker.api;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every worker endpoint and every bad input, over real HTTP on a random port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "worker.instance-id=worker-under-test", "worker.echo.max-bytes=1KB" })
@AutoConfigureWebTestClient
@AutoConfigureMetrics
class WorkerApiIntegrationTests {

	@Autowired
	WebTestClient client;

	@LocalServerPort
	int port;

	@Test
	void shouldGreetAndNameTheInstance() {
		this.client.get()
			.uri("/api/v1/hello?name=Ada")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Instance-Id", "worker-under-test")
			.expectBody()
			.jsonPath("$.message")
			.isEqualTo("Hello, Ada!")
			.jsonPath("$.instance")
			.isEqualTo("worker-under-test");
	}

	@Test
	void shouldTellTheClientFromTheGatewaysForwardingHeaders() {
		this.client.get()
			.uri("/api/v1/whoami")
			.header("X-Forwarded-For", "198.51.100.7, 10.0.0.2")
			.header("X-Custom", "kept")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.client")
			.isEqualTo("198.51.100.7")
			.jsonPath("$.headers['x-custom'][0]")
			.isEqualTo("kept")
			.jsonPath("$.headers['x-forwarded-for'][0]")
			.isEqualTo("198.51.100.7, 10.0.0.2");
	}

	@Test
	void shouldRefuseOverlongName() {
		this.client.get()
			.uri("/api/v1/hello?name=" + "n".repeat(101))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.parameter")
			.isEqualTo("name");
	}

	@Test
	void shouldDoTheRequestedWork() {
		this.client.get()
			.uri("/api/v1/work?cpuMs=5&sleepMs=20&bytes=100")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.instance")
			.isEqualTo("worker-under-test")
			.jsonPath("$.cpuMs")
			.isEqualTo(5)
			.jsonPath("$.sleepMs")
			.isEqualTo(20)
			.jsonPath("$.payload")
			.value(String.class, (payload) -> assertThat(payload).hasSize(100));
	}

	@ParameterizedTest
	@CsvSource({ "cpuMs,-1", "cpuMs,1001", "cpuMs,abc", "cpuMs,1.5", "sleepMs,-5", "sleepMs,60001", "sleepMs,x",
			"bytes,-1", "bytes,10485761", "bytes,99999999999999999999" })
	void shouldRejectBadWorkParameterNamingIt(String parameter, String value) {
		this.client.get()
			.uri("/api/v1/work?" + parameter + "=" + value)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(400)
			.jsonPath("$.parameter")
			.isEqualTo(parameter)
			.jsonPath("$.detail")
			.value(String.class, (detail) -> assertThat(detail).contains(parameter).contains(value));
	}

	@Test
	void shouldEchoBodyAndContentType() {
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"a\":[1,2,3]}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody(String.class)
			.isEqualTo("{\"a\":[1,2,3]}");
	}

	@Test
	void shouldRefuseEchoOverLimit() {
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("x".repeat(1025))
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void shouldRefuseChunkedEchoThatGrowsOverLimit() {
		Flux<String> chunks = Flux.range(0, 20).map((i) -> "y".repeat(100));
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.TEXT_PLAIN)
			.body(chunks, String.class)
			.exchange()
			.expectStatus()
			.isEqualTo(413);
	}

	@Test
	void shouldRefuseUnsupportedMediaType() {
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.IMAGE_PNG)
			.bodyValue(new byte[] { 1, 2, 3 })
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void shouldStreamTheRequestedEvents() {
		List<ServerSentEvent<String>> events = this.client.get()
			.uri("/api/v1/stream?events=3&intervalMs=20")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(events).hasSize(3);
		assertThat(events).extracting(ServerSentEvent::id).containsExactly("1", "2", "3");
		assertThat(events.get(0).data()).contains("\"instance\":\"worker-under-test\"");
	}

	@ParameterizedTest
	@CsvSource({ "events,0", "events,10001", "intervalMs,0", "intervalMs,nope" })
	void shouldRejectBadStreamParameterNamingIt(String parameter, String value) {
		this.client.get()
			.uri("/api/v1/stream?" + parameter + "=" + value)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.parameter")
			.isEqualTo(parameter);
	}

	@Test
	void shouldDescribeTheInstance() {
		this.client.get()
			.uri("/api/v1/instance")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.instance")
			.isEqualTo("worker-under-test")
			.jsonPath("$.port")
			.isEqualTo(this.port)
			.jsonPath("$.requestsInFlight")
			.isEqualTo(1)
			.jsonPath("$.requestsServed")
			.isNumber()
			.jsonPath("$.startedAt")
			.isNotEmpty()
			.jsonPath("$.uptimeMs")
			.isNumber();
	}

	@Test
	void shouldAnswerUnknownPathWithProblem() {
		this.client.get()
			.uri("/api/v1/nope")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.instance")
			.isEqualTo("/api/v1/nope")
			.jsonPath("$.trace")
			.doesNotExist();
	}

	@Test
	void shouldAnswerWrongMethodWithProblem() {
		this.client.delete()
			.uri("/api/v1/hello")
			.exchange()
			.expectStatus()
			.isEqualTo(405)
			.expectHeader()
			.valueEquals("Allow", "GET")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void shouldExposeHealthGroups() {
		for (String path : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
			this.client.get()
				.uri(path)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.status")
				.isEqualTo("UP");
		}
		this.client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
		this.client.get().uri("/actuator/info").exchange().expectStatus().isOk();
		this.client.get().uri("/actuator/metrics").exchange().expectStatus().isOk();
	}

	@Test
	void shouldEchoWebSocketTextFrames() {
		Sinks.Many<String> received = Sinks.many().replay().all();
		new ReactorNettyWebSocketClient()
			.execute(URI.create("ws://127.0.0.1:" + this.port + "/ws/echo"),
					(session) -> session.send(Flux.just("one", "two").map(session::textMessage))
						.thenMany(session.receive().take(2).map(WebSocketMessage::getPayloadAsText))
						.doOnNext(received::tryEmitNext)
						.then())
			.block(Duration.ofSeconds(10));
		assertThat(received.asFlux().take(2).collectList().block(Duration.ofSeconds(1))).containsExactly("one", "two");
	}

	@Test
	void shouldNotLeaveRequestsInFlight() {
		Mono.when(Flux.range(0, 20)
			.flatMap((i) -> this.client.get()
				.uri("/api/v1/work?sleepMs=10")
				.exchange()
				.returnResult(String.class)
				.getResponseBody()
				.then()))
			.block(Duration.ofSeconds(10));
		this.client.get().uri("/api/v1/instance").exchange().expectBody().jsonPath("$.requestsInFlight").isEqualTo(1);
	}

}
