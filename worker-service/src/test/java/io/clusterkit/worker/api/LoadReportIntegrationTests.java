package io.clusterkit.worker.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load report on every response: header {@code endpoint-load-metrics}, ORCA's TEXT
 * encoding, read by every gateway in front of the worker.
 */
class LoadReportIntegrationTests {

	static final Pattern REPORT = Pattern.compile("TEXT cpu_utilization=(\\d+\\.\\d{3}), rps_fractional=(\\d+\\.\\d), "
			+ "eps=(\\d+\\.\\d), named_metrics\\.inflight=(\\d+)");

	static Matcher report(WebTestClient client, String uri) {
		String value = client.get()
			.uri(uri)
			.exchange()
			.expectBody()
			.returnResult()
			.getResponseHeaders()
			.getFirst(LoadReport.HEADER);
		assertThat(value).as("the load report").isNotNull();
		Matcher matcher = REPORT.matcher(value);
		assertThat(matcher.matches()).as(value).isTrue();
		return matcher;
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = "worker.load-report.interval=100ms")
	@AutoConfigureWebTestClient
	class Enabled {

		@Autowired
		WebTestClient client;

		@LocalServerPort
		int port;

		@Test
		void shouldReportOnEveryResponseCountingTheAnsweredRequest() {
			// at least the answered one: another test's requests may still be in flight
			assertThat(Integer.parseInt(report(this.client, "/api/v1/hello").group(4))).isPositive();
			assertThat(report(this.client, "/no/such/path").matches()).as("errors and non-API paths too").isTrue();
		}

		@Test
		void shouldCountRequestsInFlight() {
			WebClient working = WebClient.create("http://127.0.0.1:" + this.port);
			Flux.range(0, 5)
				.flatMap((i) -> working.get().uri("/api/v1/work?sleepMs=5000").retrieve().toBodilessEntity())
				.subscribe();
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			String inFlight;
			do {
				inFlight = report(this.client, "/api/v1/hello").group(4);
			}
			while (!"6".equals(inFlight) && System.nanoTime() < deadline);
			assertThat(inFlight).as("five working, and the one answered").isEqualTo("6");
		}

		@Test
		void shouldReportTheRequestRate() {
			for (int i = 0; i < 50; i++) {
				this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			double rps;
			do {
				rps = Double.parseDouble(report(this.client, "/api/v1/hello").group(2));
			}
			while (rps == 0 && System.nanoTime() < deadline);
			assertThat(rps).isPositive();
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "worker.load-report.interval=100ms", "worker.faults.error-rate=1" })
	@AutoConfigureWebTestClient
	class Failing {

		@Autowired
		WebTestClient client;

		@Test
		void shouldReportTheErrorRate() {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			double eps;
			do {
				eps = Double.parseDouble(report(this.client, "/api/v1/hello").group(3));
			}
			while (eps == 0 && System.nanoTime() < deadline);
			assertThat(eps).isPositive();
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = "worker.load-report.enabled=false")
	@AutoConfigureWebTestClient
	class Disabled {

		@Autowired
		WebTestClient client;

		@Test
		void shouldSendNoReport() {
			this.client.get().uri("/api/v1/hello").exchange().expectHeader().doesNotExist(LoadReport.HEADER);
		}

	}

}
