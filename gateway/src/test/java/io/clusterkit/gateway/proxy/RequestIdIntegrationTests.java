package io.clusterkit.gateway.proxy;

import java.time.Duration;
import java.util.regex.Pattern;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The X-Request-Id round trip through a real worker, with both sides' access logs on: one
 * id in the response, in the gateway's log line and in the worker's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.access-log.enabled=true" })
@AutoConfigureWebTestClient
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class RequestIdIntegrationTests {

	static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1,
			new String[] { "--cluster.access-log.enabled=true" });

	@Autowired
	WebTestClient client;

	@Test
	void shouldGiveARequestWithoutIdANewOneSeenInBothLogs(CapturedOutput gatewayLog) {
		String id = this.client.get()
			.uri("/api/v1/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("X-Request-Id");
		assertThat(id).matches(UUID);
		assertLoggedOnBothSides(id, gatewayLog);
	}

	@Test
	void shouldKeepAWellFormedIdFromTheClient(CapturedOutput gatewayLog) {
		String id = "trace-7f3a:span/2+x=";
		this.client.get()
			.uri("/api/v1/hello")
			.header("X-Request-Id", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Request-Id", id);
		assertLoggedOnBothSides(id, gatewayLog);
	}

	@Test
	void shouldReplaceMalformedOrRepeatedIds() {
		for (String[] sent : new String[][] { { "has space" }, { "x".repeat(129) }, { "" }, { "a", "b" },
				{ "semi;colon" } }) {
			String id = this.client.get()
				.uri("/api/v1/hello")
				.header("X-Request-Id", sent)
				.exchange()
				.expectStatus()
				.isOk()
				.returnResult(String.class)
				.getResponseHeaders()
				.getFirst("X-Request-Id");
			assertThat(id).as("sent %s", (Object) sent).matches(UUID);
		}
	}

	@Test
	void shouldTagTheGatewaysOwnAnswersToo() {
		String id = this.client.get()
			.uri("/nowhere")
			.exchange()
			.expectStatus()
			.isNotFound()
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("X-Request-Id");
		assertThat(id).matches(UUID);
	}

	private static void assertLoggedOnBothSides(String id, CapturedOutput gatewayLog) {
		Await.until("the worker's access log line", Duration.ofSeconds(5),
				() -> workers.log(0).contains("request-id=" + id));
		Await.until("the gateway's access log line", Duration.ofSeconds(5),
				() -> gatewayLog.getOut().contains("request-id=" + id));
	}

}
