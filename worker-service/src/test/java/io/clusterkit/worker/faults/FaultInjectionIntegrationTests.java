package io.clusterkit.worker.faults;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker told to fail every /api request and to add latency does so, while its health
 * stays UP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "worker.faults.error-rate=1.0", "worker.faults.extra-latency=200ms" })
@AutoConfigureWebTestClient
class FaultInjectionIntegrationTests {

	@Autowired
	WebTestClient client;

	@Test
	void shouldAnswerApiWith503AfterTheExtraLatency() {
		long start = System.nanoTime();
		this.client.get()
			.uri("/api/v1/hello")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.value(String.class, (detail) -> assertThat(detail).contains("worker.faults.error-rate"));
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
	}

	@Test
	void shouldKeepReadinessUp() {
		this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
	}

}
