package io.clusterkit.gateway;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every worker endpoint and bad input through the gateway, to three real worker
 * processes; the management port's endpoints are not served on the public port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@AutoConfigureWebTestClient
@AutoConfigureMetrics
@DirtiesContext
class GatewayRoutingIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	@Autowired
	WebTestClient client;

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void shouldReachEveryInstance() {
		Set<String> answeredBy = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.instance")
				.value(String.class, answeredBy::add);
		}
		assertThat(answeredBy).containsExactlyInAnyOrder("worker-1", "worker-2", "worker-3");
	}

	@Test
	void shouldProxyWork() {
		this.client.get()
			.uri("/api/v1/work?cpuMs=2&sleepMs=5&bytes=64")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.payload")
			.value(String.class, (payload) -> assertThat(payload).hasSize(64));
	}

	@ParameterizedTest
	@CsvSource({ "work,cpuMs,-1", "work,sleepMs,abc", "work,bytes,10485761", "stream,events,0", "stream,intervalMs,x" })
	void shouldPassWorkerProblemsThrough(String path, String parameter, String value) {
		this.client.get()
			.uri("/api/v1/" + path + "?" + parameter + "=" + value)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.parameter")
			.isEqualTo(parameter);
	}

	@Test
	void shouldProxyEcho() {
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("ping through the gateway")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
			.expectBody(String.class)
			.isEqualTo("ping through the gateway");
	}

	/** Bodies from one byte to several buffers' worth, both ways, byte for byte. */
	@ParameterizedTest
	@ValueSource(ints = { 1, 65535, 65536, 65537, 200000 })
	void shouldProxyEveryByteOfABodyWhateverItsSize(int size) {
		byte[] body = new byte[size];
		new SplittableRandom(size).nextBytes(body);
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentLength(size)
			.expectBody(byte[].class)
			.isEqualTo(body);
	}

	@Test
	void shouldPassEchoLimitsThrough() {
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(new byte[1024 * 1024 + 1])
			.exchange()
			.expectStatus()
			.isEqualTo(413);
		this.client.post()
			.uri("/api/v1/echo")
			.contentType(MediaType.IMAGE_GIF)
			.bodyValue(new byte[] { 7 })
			.exchange()
			.expectStatus()
			.isEqualTo(415);
	}

	@Test
	void shouldPassWrongMethodAndUnknownApiPathThrough() {
		this.client.put().uri("/api/v1/hello").exchange().expectStatus().isEqualTo(405);
		this.client.get()
			.uri("/api/v1/missing")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void shouldProxyTheInstanceView() {
		this.client.get()
			.uri("/api/v1/instance")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.instance")
			.value(String.class, (id) -> assertThat(id).startsWith("worker-"));
	}

	@Test
	void shouldProxyServerSentEvents() {
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
		assertThat(events).extracting(ServerSentEvent::id).containsExactly("1", "2", "3");
	}

	@Test
	void shouldProxyWebSocket() {
		assertThat(Traffic.echoOverWebSocket(this.port, "alpha", "beta")).containsExactly("alpha", "beta");
	}

	@Test
	void shouldAnswerUnroutedPathWithProblem() {
		this.client.get()
			.uri("/not-routed")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator", "/actuator/health", "/actuator/prometheus", "/actuator/info" })
	void shouldServeManagementOnlyOnTheManagementPort(String path) {
		this.client.get().uri(path).exchange().expectStatus().isNotFound();
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri(path)
			.exchange()
			.expectStatus()
			.isOk();
	}

}
