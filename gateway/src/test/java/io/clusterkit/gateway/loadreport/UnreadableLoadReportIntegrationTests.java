package io.clusterkit.gateway.loadreport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.clusterkit.gateway.BalancerView;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instance whose load report is garbage: its answers pass as they are, the header is
 * stripped, the balancer keeps no report of it, and nothing is logged above DEBUG.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class UnreadableLoadReportIntegrationTests {

	static final DisposableServer garbling = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes.route((request) -> true,
				(request, response) -> response.header("Content-Type", "application/json")
					.header(LoadReports.HEADER, "TEXT cpu_utilization=NaN, named_metrics.inflight=-3, ###")
					.sendString(Mono.just("{\"status\":\"UP\"}"))))
		.bindNow();

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(0).withInstance("http://127.0.0.1:" + garbling.port());

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@AfterAll
	static void stopInstance() {
		garbling.disposeNow();
	}

	@Test
	void shouldPassTheAnswerAndIgnoreTheReport(CapturedOutput output) throws Exception {
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/hello")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
			assertThat(response.headers().firstValue(LoadReports.HEADER)).isEmpty();
		}
		JsonNode instance = BalancerView.instance(this.managementPort, "127.0.0.1:" + garbling.port());
		assertThat(instance.path("state").asString()).as("never ejected").isIn("UP", "SLOW-START");
		assertThat(instance.path("reported").isNull()).isTrue();
		assertThat(instance.path("failures").asLong()).isZero();
		assertThat(output.getAll()).doesNotContain("load report");
	}

}
