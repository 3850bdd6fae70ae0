package io.clusterkit.gateway;

import java.time.Duration;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When no worker can answer, the client gets a specific problem at once: never a hang,
 * never a bare 500.
 */
class UpstreamFailureIntegrationTests {

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					"spring.cloud.discovery.client.simple.instances.worker-service[0].uri=http://127.0.0.1:1" })
	@AutoConfigureWebTestClient
	class UnreachableInstance {

		@Autowired
		WebTestClient client;

		@Test
		void shouldAnswerBadGateway() {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isEqualTo(502)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.detail")
				.isEqualTo("The upstream instance could not be reached.");
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					"spring.cloud.discovery.client.simple.instances.worker-service=" })
	@AutoConfigureWebTestClient
	class NoInstance {

		@Autowired
		WebTestClient client;

		@Test
		void shouldAnswerServiceUnavailable() {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.detail")
				.value(String.class, (detail) -> assertThat(detail).contains("worker-service"));
		}

	}

	/**
	 * Every instance DOWN by its readiness probe: 503 at once, no panic routing. A DOWN
	 * instance said it must not take traffic (it is shutting down, or cannot serve), or
	 * cannot be reached; sending to it anyway would spray requests at terminating pods.
	 */
	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.health.interval=200ms", "cluster.health.fall=1",
					"spring.cloud.discovery.client.simple.instances.worker-service[0].uri=http://127.0.0.1:1",
					"spring.cloud.discovery.client.simple.instances.worker-service[1].uri=http://127.0.0.1:2" })
	@AutoConfigureWebTestClient
	class AllDown {

		@Autowired
		WebTestClient client;

		@Autowired
		EndpointRegistry registry;

		@Test
		void shouldAnswerServiceUnavailableWithoutPanicRouting() {
			Await.until("both instances probed DOWN", Duration.ofSeconds(10),
					() -> this.registry.endpoints().size() == 2
							&& this.registry.endpoints().stream().noneMatch(Endpoint::isUp));
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(this.registry.endpoints()).allSatisfy((endpoint) -> assertThat(endpoint.sent()).isZero());
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					"spring.cloud.discovery.client.simple.instances.worker-service[0].uri=http://127.0.0.1:1",
					"spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight=0",
					"spring.cloud.discovery.client.simple.instances.worker-service[1].uri=http://127.0.0.1:2",
					"spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight=0" })
	@AutoConfigureWebTestClient
	class AllDrained {

		@Autowired
		WebTestClient client;

		@Test
		void shouldAnswerServiceUnavailableWithoutTryingADrainedInstance() {
			this.client.get()
				.uri("/api/v1/hello")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		}

	}

}
