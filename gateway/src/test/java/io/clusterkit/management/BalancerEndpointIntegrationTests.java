package io.clusterkit.management;

import java.time.Duration;
import java.time.Instant;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.GatewayApplication;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's read view over two real workers, one of them drained (weight 0): every
 * field of {@code /actuator/balancer}, and every meter in {@code /actuator/prometheus}.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.balancer.slow-start.window=0s" })
@AutoConfigureWebTestClient
@AutoConfigureMetrics
@DirtiesContext
class BalancerEndpointIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2).withMetadata(1, "weight", "0");

	@Autowired
	WebTestClient client;

	@LocalManagementPort
	int managementPort;

	@BeforeEach
	void traffic() {
		for (int i = 0; i < 10; i++) {
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
		}
	}

	@Test
	void shouldShowEveryInstanceAsTheBalancersSeeIt() {
		JsonNode service = json("/actuator/balancer").get("worker-service");
		assertThat(service.get("algorithm").asString()).isEqualTo("least-connections");
		assertThat(service.get("instances")).hasSize(2);
		JsonNode first = instance(service, workers.port(0));
		assertThat(first.get("state").asString()).isEqualTo("UP");
		assertThat(first.get("weight").asInt()).isEqualTo(1);
		assertThat(first.get("effectiveWeight").asDouble()).isEqualTo(1.0);
		assertThat(first.get("inFlight").asInt()).isZero();
		assertThat(first.get("sent").asLong()).isGreaterThanOrEqualTo(10);
		assertThat(first.get("failures").asLong()).isZero();
		assertThat(first.get("latency").get("p50Ms").asDouble()).isPositive();
		assertThat(first.get("latency").get("p99Ms").asDouble())
			.isGreaterThanOrEqualTo(first.get("latency").get("p50Ms").asDouble());
		JsonNode drained = instance(service, workers.port(1));
		assertThat(drained.get("state").asString()).isEqualTo("DRAINING");
		assertThat(drained.get("weight").asInt()).isZero();
		assertThat(drained.get("sent").asLong()).isZero();
		assertThat(drained.get("latency").isNull()).isTrue();
	}

	@Test
	void shouldShowTheLastProbeOfEachInstance() {
		// the first probe of each instance runs at a random phase within the interval
		Await.until("a probe of every instance", Duration.ofSeconds(5),
				() -> json("/actuator/balancer/worker-service").get("instances")
					.valueStream()
					.noneMatch((instance) -> instance.get("lastProbe").isNull()));
		for (JsonNode instance : json("/actuator/balancer/worker-service").get("instances")) {
			JsonNode probe = instance.get("lastProbe");
			assertThat(probe.get("success").asBoolean()).isTrue();
			assertThat(probe.get("result").asString()).isEqualTo("readiness 200");
			assertThat(Instant.parse(probe.get("at").asString())).isBefore(Instant.now().plusSeconds(1));
		}
	}

	@Test
	void shouldAnswer404ForAnUnknownService() {
		management().get()
			.uri("/actuator/balancer/nope")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.detail")
			.isEqualTo("No service 'nope' (none seen yet); GET /actuator/balancer lists them.");
	}

	@Test
	void shouldServeTheDashboardFromTheGatewayOnTheManagementPortOnly() {
		management().get()
			.uri("/actuator/dashboard")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_HTML)
			.expectHeader()
			.valueEquals("X-Frame-Options", "DENY")
			.expectHeader()
			.valueEquals("Content-Security-Policy", "frame-ancestors 'none'")
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("src=\"dashboard/chart.js\"", "src=\"dashboard/dashboard.js\""));
		for (String asset : new String[] { "chart.js", "dashboard.js", "dashboard.css" }) {
			management().get()
				.uri("/actuator/dashboard/" + asset)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(byte[].class)
				.value((body) -> assertThat(body).isNotEmpty());
		}
		management().get()
			.uri("/actuator/dashboard/")
			.exchange()
			.expectStatus()
			.isEqualTo(301)
			.expectHeader()
			.location("/actuator/dashboard");
		this.client.get().uri("/actuator/dashboard").exchange().expectStatus().isNotFound();
	}

	@Test
	void shouldPublishEveryUpstreamMeter() {
		String prometheus = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		String instance = "instance=\"127.0.0.1:" + workers.port(0) + "\"";
		assertThat(prometheus).contains("cluster_upstream_in_flight{" + instance + ",service=\"worker-service\"}")
			.contains(
					"cluster_upstream_requests_total{" + instance + ",outcome=\"success\",service=\"worker-service\"}")
			.contains(
					"cluster_upstream_requests_total{" + instance + ",outcome=\"failure\",service=\"worker-service\"}")
			.contains("cluster_upstream_latency_seconds_bucket{" + instance)
			.contains("cluster_upstream_latency_seconds_count{" + instance)
			.contains("cluster_upstream_latency_seconds_max{" + instance)
			.contains("cluster_upstream_up{" + instance)
			.contains("cluster_upstream_ejected{" + instance)
			.contains("cluster_upstream_ejections_total{" + instance)
			.contains("cluster_upstream_sent_total{" + instance);
	}

	private JsonNode json(String path) {
		return new Management(this.managementPort).read(path);
	}

	private static JsonNode instance(JsonNode service, int port) {
		for (JsonNode instance : service.get("instances")) {
			if (instance.get("address").asString().equals("127.0.0.1:" + port)) {
				return instance;
			}
		}
		throw new AssertionError("no instance on port " + port + " in " + service);
	}

	private WebTestClient management() {
		return new Management(this.managementPort).client();
	}

}
