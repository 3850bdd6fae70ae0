package io.clusterkit.management;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.GatewayApplication;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's runtime operations on two real workers: authentication first, then each
 * operation's effect on the traffic and in the endpoint, and a problem for every bad
 * request.
 */
class BalancerOperationsIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2);

	static final String PASSWORD = "s3cret";

	static String instance(int index) {
		return "/actuator/balancer/worker-service/127.0.0.1:" + workers.port(index);
	}

	@Nested
	@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.admin.password=" + PASSWORD,
					"cluster.balancer.slow-start.window=0s", "cluster.balancer.algorithm=round-robin" })
	@AutoConfigureWebTestClient
	@DirtiesContext
	class WithAnOperator {

		@Autowired
		WebTestClient client;

		@LocalManagementPort
		int managementPort;

		@Test
		void shouldRequireTheOperatorsCredentialsForWritesOnly() {
			management().post(instance(0), Map.of("action", "drain"), null).expectStatus().isUnauthorized();
			management().post(instance(0), Map.of("action", "drain"), "wrong").expectStatus().isUnauthorized();
			management().client().get().uri("/actuator/balancer").exchange().expectStatus().isOk();
			management().client().get().uri("/actuator/health").exchange().expectStatus().isOk();
		}

		@Test
		void shouldKeepSpringSecurityOffThePublicPort(@Autowired ApplicationContext application) {
			assertThat(application.getBeanNamesForType(WebFilterChainProxy.class)).isEmpty();
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
		}

		@Test
		void shouldDrainAndUndrainAnInstance() {
			JsonNode drained = operate(instance(1), Map.of("action", "drain"));
			assertThat(drained.get("state").asString()).isEqualTo("DRAINING");
			assertThat(answeredBy(10)).containsExactly("worker-1");

			JsonNode undrained = operate(instance(1), Map.of("action", "undrain"));
			assertThat(undrained.get("state").asString()).isEqualTo("UP");
			assertThat(answeredBy(10)).containsExactlyInAnyOrder("worker-1", "worker-2");
		}

		@Test
		void shouldSetAWeight() {
			JsonNode weighed = operate(instance(0), Map.of("weight", 7));
			assertThat(weighed.get("weight").asInt()).isEqualTo(7);
			assertThat(weighed.get("state").asString()).isEqualTo("UP");
			operate(instance(0), Map.of("weight", 1));
		}

		@Test
		void shouldProbeAnInstanceAgainOnDemand() {
			Await.until("a first probe", Duration.ofSeconds(10), () -> !lastProbeAt().isEmpty());
			String before = lastProbeAt();
			operate(instance(0), Map.of("action", "recheck"));
			Await.until("a new probe", Duration.ofSeconds(5), () -> !lastProbeAt().equals(before));
		}

		@Test
		void shouldAnswerProblemsForBadRequests() {
			problem("/actuator/balancer/worker-service/127.0.0.1:1", Map.of("action", "drain"), 404, "No instance");
			problem("/actuator/balancer/nope/127.0.0.1:" + workers.port(0), Map.of("action", "drain"), 404,
					"No instance");
			problem(instance(0), Map.of("weight", 5000), 400, "from 0 to 1000");
			problem(instance(0), Map.of("weight", -1), 400, "from 0 to 1000");
			problem(instance(0), Map.of("action", "explode"), 400, "Unknown action");
			problem(instance(0), Map.of(), 400, "Give an action");
			management().post(instance(0), Map.of("weight", "heavy"), PASSWORD).expectStatus().isBadRequest();
		}

		private void problem(String uri, Map<String, Object> body, int status, String detail) {
			management().post(uri, body, PASSWORD)
				.expectStatus()
				.isEqualTo(status)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.status")
				.isEqualTo(status)
				.jsonPath("$.detail")
				.value((String text) -> assertThat(text).contains(detail));
		}

		private String lastProbeAt() {
			JsonNode instance = management().read("/actuator/balancer/worker-service").get("instances").get(0);
			JsonNode probe = instance.get("lastProbe");
			return (probe == null || probe.isNull()) ? "" : probe.get("at").asString();
		}

		private Set<String> answeredBy(int requests) {
			Set<String> instances = new HashSet<>();
			for (int i = 0; i < requests; i++) {
				instances.add(this.client.get()
					.uri("/api/v1/hello")
					.exchange()
					.expectStatus()
					.isOk()
					.returnResult(String.class)
					.getResponseHeaders()
					.getFirst("X-Instance-Id"));
			}
			return instances;
		}

		private JsonNode operate(String uri, Map<String, Object> body) {
			return management().operate(uri, body, PASSWORD);
		}

		private Management management() {
			return new Management(this.managementPort);
		}

	}

	@Nested
	@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=", "cluster.admin.password=" + PASSWORD })
	@DirtiesContext
	class WithManagementOnThePublicPort {

		@LocalServerPort
		int port;

		@Test
		void shouldStillRequireTheOperatorsCredentials() {
			Management management = new Management(this.port);
			management.post(instance(0), Map.of("action", "recheck"), null).expectStatus().isUnauthorized();
			management.post(instance(0), Map.of("action", "recheck"), PASSWORD).expectStatus().isOk();
			management.read("/actuator/balancer");
		}

	}

	@Nested
	@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.dashboard.enabled=false" })
	@DirtiesContext
	class WithoutAPasswordNorDashboard {

		@LocalManagementPort
		int managementPort;

		@Test
		void shouldRefuseEveryWrite() {
			Management management = new Management(this.managementPort);
			management.post(instance(0), Map.of("action", "drain"), "").expectStatus().isUnauthorized();
			management.read("/actuator/balancer");
		}

		@Test
		void shouldServeNoDashboardWhenSwitchedOff() {
			new Management(this.managementPort).client()
				.get()
				.uri("/actuator/dashboard")
				.exchange()
				.expectStatus()
				.isNotFound();
		}

	}

}
