package io.clusterkit.gateway.discovery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.health.ActiveHealthChecker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNS churn as rolling deploys make it: 200 addresses come and go under load, twenty
 * listed at a time and five replaced every 300 ms, all of them served by one real worker
 * listening on every loopback address. The gateway follows: at the end the registry, the
 * meters, the health component and the probe loops hold exactly the current addresses,
 * and no request went to an address once it had left discovery for a refresh.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "management.server.port=0",
		"spring.autoconfigure.exclude=org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration,"
				+ "org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration",
		"cluster.discovery.dns.enabled=true", "cluster.discovery.dns.refresh-interval=100ms",
		"cluster.discovery.dns.services.worker-service.host=workers.test", "cluster.membership.refresh-interval=200ms",
		"cluster.membership.departure-grace=5s", "cluster.health.interval=200ms", "cluster.health.rise=1",
		"cluster.balancer.slow-start.window=0s" })
@DirtiesContext
class MembershipChurnIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1, new String[] { "--server.address=0.0.0.0" });

	static final TestDnsServer dns = dnsServer();

	static final int WINDOW = 20;

	static final int STEP = 5;

	static final int ADDRESSES = 200;

	/** DNS refresh, membership refresh, and room for the requests picked just before. */
	static final Duration SETTLED = Duration.ofSeconds(1);

	static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	EndpointRegistry registry;

	@Autowired
	MeterRegistry meters;

	@Autowired
	ActiveHealthChecker checker;

	@DynamicPropertySource
	static void discovery(DynamicPropertyRegistry registry) {
		registry.add("cluster.discovery.dns.name-server", dns::address);
		registry.add("cluster.discovery.dns.services.worker-service.port", () -> workers.port(0));
		dns.set("workers.test", address(1));
	}

	@AfterAll
	static void stop() {
		dns.close();
	}

	@Test
	void shouldHoldExactlyTheListedAddressesAndSendNothingToDepartedOnes() throws Exception {
		Deque<String> listed = new ArrayDeque<>(List.of(address(1)));
		Map<String, Endpoint> seen = new ConcurrentHashMap<>();
		Map<String, Long> departedAt = new HashMap<>();
		Map<String, Long> sentWhenSettled = new HashMap<>();
		AtomicBoolean loading = new AtomicBoolean(true);
		List<Thread> load = new ArrayList<>();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			Thread loader = new Thread(() -> {
				while (loading.get()) {
					try (RawHttp http = RawHttp.connect(this.port)) {
						int status = http.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"))
							.status();
						synchronized (statuses) {
							statuses.add(status);
						}
					}
				}
			});
			loader.start();
			load.add(loader);
		}
		try {
			for (int next = 2; next <= ADDRESSES; next++) {
				listed.addLast(address(next));
				if (next % STEP == 0) {
					while (listed.size() > WINDOW) {
						departedAt.put(listed.removeFirst(), System.nanoTime());
					}
					dns.set("workers.test", listed.toArray(String[]::new));
					Await.sleep(300);
					this.registry.endpoints().forEach((endpoint) -> seen.putIfAbsent(endpoint.address(), endpoint));
					recordSettled(departedAt, seen, sentWhenSettled);
				}
			}
			Await.sleep(SETTLED.toMillis());
			recordSettled(departedAt, seen, sentWhenSettled);
		}
		finally {
			loading.set(false);
			for (Thread thread : load) {
				thread.join();
			}
		}
		Set<String> current = listed.stream().map((host) -> host + ":" + workers.port(0)).collect(Collectors.toSet());
		Await.until("only the listed addresses in the registry", Duration.ofSeconds(10),
				() -> addresses(this.registry.endpoints()).equals(current));
		assertThat(departedAt).hasSize(ADDRESSES - WINDOW);
		assertThat(sentWhenSettled).as("departed addresses watched").hasSize(ADDRESSES - WINDOW);
		sentWhenSettled.forEach((address, sent) -> assertThat(seen.get(address).sent())
			.as("requests sent to " + address + " after it left")
			.isEqualTo(sent));
		assertThat(seen.values()).as("every address took requests while listed")
			.filteredOn((endpoint) -> endpoint.sent() > 0)
			.hasSizeGreaterThan(ADDRESSES / 2);
		assertThat(this.meters.find("cluster.upstream.sent").meters()).extracting(this::instanceTag)
			.containsExactlyInAnyOrderElementsOf(current);
		assertThat(this.meters.find("cluster.upstream.latency").meters()).extracting(this::instanceTag)
			.containsExactlyInAnyOrderElementsOf(current);
		assertThat(healthInstances()).containsExactlyInAnyOrderElementsOf(current);
		for (Endpoint endpoint : seen.values()) {
			assertThat(this.checker.recheck("worker-service", endpoint)).as("probe loop of " + endpoint.address())
				.isEqualTo(current.contains(endpoint.address()));
		}
		synchronized (statuses) {
			assertThat(statuses).as("answers under churn").hasSizeGreaterThan(100).containsOnly(200);
		}
	}

	/** A departed address's count once it left for long enough: it must stay so. */
	private static void recordSettled(Map<String, Long> departedAt, Map<String, Endpoint> seen,
			Map<String, Long> sentWhenSettled) {
		long now = System.nanoTime();
		departedAt.forEach((host, at) -> {
			String address = host + ":" + workers.port(0);
			if (now - at >= SETTLED.toNanos() && seen.containsKey(address)) {
				sentWhenSettled.putIfAbsent(address, seen.get(address).sent());
			}
		});
	}

	private List<String> healthInstances() {
		try (RawHttp http = RawHttp.connect(this.managementPort)) {
			JsonNode health = json
				.readTree(http.exchange(RawHttp.head("GET /actuator/health HTTP/1.1", "Host: m")).body());
			List<String> names = new ArrayList<>();
			for (Map.Entry<String, JsonNode> instance : health.path("components")
				.path("upstreams")
				.path("components")
				.path("worker-service")
				.path("details")
				.path("instances")
				.properties()) {
				names.add(instance.getKey());
			}
			return names;
		}
	}

	private String instanceTag(Meter meter) {
		return meter.getId().getTag("instance");
	}

	private static Set<String> addresses(List<Endpoint> endpoints) {
		return endpoints.stream().map(Endpoint::address).collect(Collectors.toSet());
	}

	private static String address(int n) {
		return "127.0.1." + n;
	}

	private static TestDnsServer dnsServer() {
		try {
			return new TestDnsServer();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
