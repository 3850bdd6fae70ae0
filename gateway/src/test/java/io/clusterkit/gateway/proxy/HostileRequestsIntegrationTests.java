package io.clusterkit.gateway.proxy;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests that try to reach what is not theirs: a management endpoint through a path
 * trick, another host through the request line or {@code Host}, a tunnel. Each is refused
 * or routed only where the routes say, and the gateway serves on.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@DirtiesContext
class HostileRequestsIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@ParameterizedTest
	@ValueSource(strings = { "/api/../actuator/health", "/api/v1/../../actuator/prometheus",
			"/api/%2e%2e/actuator/health", "/api/%2E%2E/actuator/env", "/api/v1/..%2factuator/health",
			"/api/..;/actuator/health", "/api/v1/%5c..%5cactuator", "/api/v1/hello%00.json", "/api/./v1/hello",
			"/api/v1/..\\actuator", "/api/v1/<script>", "/api/v1/..%3b/actuator/health",
			"/api/%252e%252e/actuator/health", "/api/%c0%ae%c0%ae/actuator/health" })
	void shouldRefuseAmbiguousPaths(String path) {
		RawHttp.Response response = get(path, "Host: gateway");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.header("Content-Type")).startsWith("application/problem+json");
		assertThat(response.header("X-Instance-Id")).as("never sent to a worker").isNull();
		assertStillServing();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/health", "/actuator/balancer", "/actuator/prometheus", "/admin" })
	void shouldNotServeManagementOnThePublicPort(String path) {
		RawHttp.Response response = get(path, "Host: gateway");
		assertThat(response.status()).isEqualTo(404);
		assertThat(response.header("Content-Type")).startsWith("application/problem+json");
	}

	@Test
	void shouldRouteAnAbsoluteFormRequestByItsPathNotItsHost() {
		RawHttp.Response elsewhere = get("http://127.0.0.1:" + this.managementPort + "/api/v1/whoami",
				"Host: 127.0.0.1:" + this.managementPort);
		assertThat(elsewhere.status()).isEqualTo(200);
		assertThat(elsewhere.header("X-Instance-Id")).isEqualTo("worker-1");
		RawHttp.Response management = get("http://127.0.0.1:" + this.managementPort + "/actuator/health",
				"Host: 127.0.0.1:" + this.managementPort);
		assertThat(management.status()).isEqualTo(404);
	}

	@ParameterizedTest
	@ValueSource(strings = { "Host: lb://worker-service", "Host: admin.internal", "X-Forwarded-Host: lb://admin",
			"X-Original-URL: /actuator/health", "X-Rewrite-URL: /actuator/health" })
	void shouldNotLetHeadersChooseTheUpstream(String header) {
		RawHttp.Response response = get("/api/v1/whoami", header.startsWith("Host") ? header : "Host: gateway", header);
		if (response.status() == 200) {
			assertThat(response.header("X-Instance-Id")).isEqualTo("worker-1");
			assertThat(response.body()).contains("\"host\":\"127.0.0.1:" + workers.port(0) + "\"");
		}
		else {
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Content-Type")).startsWith("application/problem+json");
		}
	}

	@Test
	void shouldNotOpenATunnel() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection
				.exchange(RawHttp.head("CONNECT 127.0.0.1:" + this.managementPort + " HTTP/1.1",
						"Host: 127.0.0.1:" + this.managementPort));
			assertThat(response.status()).isBetween(400, 499);
			assertThat(response.header("Content-Type")).startsWith("application/problem+json");
		}
		assertStillServing();
	}

	private RawHttp.Response get(String target, String... headers) {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			return connection.exchange(RawHttp.head("GET " + target + " HTTP/1.1", headers));
		}
	}

	private void assertStillServing() {
		assertThat(get("/api/v1/hello", "Host: gateway").status()).isEqualTo(200);
	}

}
