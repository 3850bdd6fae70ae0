package io.clusterkit.gateway.loadreport;

import java.util.concurrent.atomic.AtomicInteger;

import io.clusterkit.gateway.BalancerView;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instance that answers every request 503 with {@code Retry-After} (a rate limiter in
 * front of a worker, say) beside two healthy workers: it asks for fewer requests, so its
 * weight is cut for that time and its answers count as no failure. Under smooth weighted
 * round robin its share falls from a third to a few percent, each 503 is retried on a
 * worker, and passive health never ejects it, however many it sends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.balancer.algorithm=weighted-round-robin",
				"cluster.balancer.slow-start.window=0s" })
@DirtiesContext
class RateLimitAwareIntegrationTests {

	static final AtomicInteger throttledAnswers = new AtomicInteger();

	static final DisposableServer limiter = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes
			.get("/actuator/health/readiness",
					(request, response) -> response.header("Content-Type", "application/json")
						.sendString(Mono.just("{\"status\":\"UP\"}")))
			.route((request) -> true, (request, response) -> {
				throttledAnswers.incrementAndGet();
				return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE).header("Retry-After", "2").send();
			}))
		.bindNow();

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2).withInstance("http://127.0.0.1:" + limiter.port());

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@AfterAll
	static void stopLimiter() {
		limiter.disposeNow();
	}

	@Test
	void shouldCutTheWeightOfAnInstanceThatAsksForFewerRequestsWithoutEjectingIt() throws Exception {
		int requests = 300;
		for (int i = 0; i < requests; i++) {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				RawHttp.Response response = connection
					.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: localhost", "Connection: close"));
				assertThat(response.status()).as("a 503 with Retry-After is retried on a worker").isEqualTo(200);
			}
		}
		double share = throttledAnswers.get() / (double) requests;
		System.out.printf("the throttled instance's share: %.3f of %d requests%n", share, requests);
		assertThat(share).as("a third without the cut").isLessThan(0.15);
		assertThat(throttledAnswers.get()).as("but not shut out").isPositive();
		JsonNode limited = BalancerView.instance(this.managementPort, "127.0.0.1:" + limiter.port());
		assertThat(limited.path("state").asString()).isEqualTo("THROTTLED");
		assertThat(limited.path("failures").asLong()).isZero();
	}

}
