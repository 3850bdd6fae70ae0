package io.clusterkit.gateway.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.Traffic;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real worker 50 ms slower than its two peers, none of them failing: least connections
 * alone still sends it requests whenever the pool is idle. Latency outlier detection
 * ejects it, says why, and afterwards it takes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.health.latency-outliers.interval=1s",
				"cluster.health.latency-outliers.min-requests=10", "cluster.health.latency-outliers.ejection-time=5m" })
@DirtiesContext
class LatencyOutlierIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3, new String[0], new String[0],
			new String[] { "--worker.faults.extra-latency=50ms" });

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	EndpointRegistry registry;

	@Test
	void shouldEjectTheSlowWorkerSayWhyAndSendItNothingAfter() {
		Endpoint slow = this.registry.endpoints()
			.stream()
			.filter((endpoint) -> endpoint.address().endsWith(":" + workers.port(2)))
			.findFirst()
			.orElseThrow();
		Await.until("the slow worker ejected", Duration.ofSeconds(30), () -> {
			Traffic.hello(this.port, 100, 4);
			return slow.isEjected();
		});
		assertThat(slow.ejectionReason()).startsWith("median latency ").contains("vs peers' ");
		try (RawHttp management = RawHttp.connect(this.managementPort)) {
			String view = management
				.exchange(RawHttp.head("GET /actuator/balancer/worker-service HTTP/1.1", "Host: management"))
				.body();
			assertThat(view).contains("\"state\":\"EJECTED\",\"reason\":\"median latency ");
		}

		long sentWhenEjected = slow.sent();
		Map<String, AtomicInteger> counts = Traffic.hello(this.port, 300, 4);
		assertThat(slow.sent()).as("requests to the ejected worker").isEqualTo(sentWhenEjected);
		assertThat(counts).containsOnlyKeys("worker-1", "worker-2");
	}

}
