package io.clusterkit.worker.faults;

import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The faults changed at run time through {@code /actuator/faults}, only where it is
 * exposed.
 */
class FaultsEndpointIntegrationTests {

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = "management.endpoints.web.exposure.include=health,faults")
	@AutoConfigureWebTestClient
	@DirtiesContext
	class Exposed {

		@Autowired
		WebTestClient client;

		@Test
		void shouldSlowTheApiFromNowOnAndBackAgain() {
			this.client.post()
				.uri("/actuator/faults")
				.bodyValue(Map.of("extraLatency", "300ms"))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.extraLatency")
				.isEqualTo("PT0.3S")
				.jsonPath("$.extraLatencyRate")
				.isEqualTo(1.0);
			long start = System.nanoTime();
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
			assertThat(System.nanoTime() - start).as("at least the injected 300 ms")
				.isGreaterThanOrEqualTo(300_000_000L);

			this.client.post()
				.uri("/actuator/faults")
				.bodyValue(Map.of("extraLatency", "0ms"))
				.exchange()
				.expectStatus()
				.isOk();
			this.client.get()
				.uri("/actuator/faults")
				.exchange()
				.expectBody()
				.jsonPath("$.extraLatency")
				.isEqualTo("PT0S");
		}

		@Test
		void shouldRefuseFaultsOutOfRange() {
			this.client.post()
				.uri("/actuator/faults")
				.bodyValue(Map.of("errorRate", 2))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectHeader()
				.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.detail")
				.value(String.class, (detail) -> assertThat(detail).contains("errorRate"));
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	@AutoConfigureWebTestClient
	class NotExposedByDefault {

		@Autowired
		WebTestClient client;

		@Test
		void shouldNotBeReachable() {
			this.client.post()
				.uri("/actuator/faults")
				.bodyValue(Map.of("errorRate", 1))
				.exchange()
				.expectStatus()
				.isNotFound();
		}

	}

}
