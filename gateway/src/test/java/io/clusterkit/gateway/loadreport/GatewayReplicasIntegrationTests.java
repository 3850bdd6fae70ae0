package io.clusterkit.gateway.loadreport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.clusterkit.gateway.BalancerView;
import io.clusterkit.gateway.GatewayApplication;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several gateways in front of the same workers, each seeing the others' load through the
 * workers' reports. Gateway A sends only long requests, all to worker 0 (the only one it
 * knows: a worker A happens to favour); gateways B and B' send short requests, one at a
 * time, over all three workers, B reading load reports and B' not. Without reports B'
 * spreads evenly, worker 0 included; with them B sends worker 0 almost nothing while A
 * keeps it busy, and comes back to it once A stops.
 */
class GatewayReplicasIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	static final JsonMapper json = JsonMapper.builder().build();

	static final int LONG_REQUESTS = 16;

	static final int SHORT_REQUESTS = 150;

	static final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

	static int gatewayA;

	static int gatewayBManagement;

	static int gatewayB;

	static int gatewayBWithoutReports;

	@BeforeAll
	static void startGateways() {
		gatewayA = port(start(1, true));
		ConfigurableApplicationContext b = start(3, true);
		gatewayB = port(b);
		gatewayBManagement = b.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
		gatewayBWithoutReports = port(start(3, false));
	}

	@AfterAll
	static void stopGateways() {
		gateways.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void shouldSteerClearOfAWorkerAnotherGatewayBuries() throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		List<CompletableFuture<Void>> longRequests = new ArrayList<>();
		for (int i = 0; i < LONG_REQUESTS; i++) {
			longRequests.add(loop(running, URI.create("http://127.0.0.1:" + gatewayA + "/api/v1/work?sleepMs=300")));
		}
		try {
			awaitInFlightOnWorker0(LONG_REQUESTS / 2);
			double withReports = shareOfWorker0(gatewayB);
			JsonNode reported = reportedByWorker0();
			double withoutReports = shareOfWorker0(gatewayBWithoutReports);
			System.out.printf("share of the buried worker: %.3f with load reports, %.3f without%n", withReports,
					withoutReports);
			assertThat(withoutReports).as("blind to A's load: an even spread").isGreaterThan(0.2);
			assertThat(withReports).as("seeing A's load through the reports").isLessThan(0.1);
			assertThat(reported.path("elsewhere").asLong()).as("A's requests, in B's balancer view")
				.isGreaterThan(LONG_REQUESTS / 2);
			assertThat(reported.path("ageMs").isIntegralNumber()).isTrue();
		}
		finally {
			running.set(false);
			CompletableFuture.allOf(longRequests.toArray(CompletableFuture[]::new)).get();
		}
		// once A's requests ended and the last report aged out, worker 0 is in the spread
		// again
		Thread.sleep(3_500);
		assertThat(shareOfWorker0(gatewayB)).isGreaterThan(0.2);
	}

	private static ConfigurableApplicationContext start(int workerCount, boolean loadReports) {
		List<String> args = new ArrayList<>(Arrays.asList("--server.port=0", "--management.server.port=0",
				"--spring.main.banner-mode=off", "--cluster.balancer.load-report.enabled=" + loadReports));
		for (int i = 0; i < workerCount; i++) {
			args.add(
					"--spring.cloud.discovery.client.simple.instances.worker-service[" + i + "].uri=" + workers.uri(i));
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
			.run(args.toArray(String[]::new));
		gateways.add(context);
		return context;
	}

	private static int port(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	/** One client sending requests back to back until told to stop. */
	private static CompletableFuture<Void> loop(AtomicBoolean running, URI uri) {
		if (!running.get()) {
			return CompletableFuture.completedFuture(null);
		}
		return http
			.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.discarding())
			.handle((response, error) -> null)
			.thenCompose((ignored) -> loop(running, uri));
	}

	private static void awaitInFlightOnWorker0(int atLeast) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		long inFlight = 0;
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(URI.create(workers.uri(0) + "/api/v1/instance")).build(),
					HttpResponse.BodyHandlers.ofString());
			inFlight = json.readTree(response.body()).path("requestsInFlight").asLong();
			if (inFlight > atLeast) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("worker 0 never had " + atLeast + " requests in flight; last seen " + inFlight);
	}

	/**
	 * What B's {@code /actuator/balancer} shows of worker 0's last report. Once one
	 * expires, B's next request goes to worker 0 and brings a new one: one request at a
	 * time until the view has it.
	 */
	private static JsonNode reportedByWorker0() throws Exception {
		String address = URI.create(workers.uri(0)).getAuthority();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (true) {
			JsonNode reported = BalancerView.instance(gatewayBManagement, address).path("reported");
			if (reported.isObject()) {
				return reported;
			}
			assertThat(System.nanoTime()).as("a report of worker 0 in B's view").isLessThan(deadline);
			http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayB + "/api/v1/hello")).build(),
					HttpResponse.BodyHandlers.discarding());
		}
	}

	/** Short requests one at a time: the share worker 0 answered. */
	private static double shareOfWorker0(int gatewayPort) throws Exception {
		HttpRequest hello = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/api/v1/hello"))
			.timeout(Duration.ofSeconds(10))
			.build();
		int onWorker0 = 0;
		for (int i = 0; i < SHORT_REQUESTS; i++) {
			HttpResponse<String> response = http.send(hello, HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue(LoadReports.HEADER)).as("stripped before the client").isEmpty();
			JsonNode body = json.readTree(response.body());
			if (workers.id(0).equals(body.path("instance").asString())) {
				onWorker0++;
			}
		}
		return (double) onWorker0 / SHORT_REQUESTS;
	}

}
