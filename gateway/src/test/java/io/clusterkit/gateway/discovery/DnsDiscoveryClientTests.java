package io.clusterkit.gateway.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.clusterkit.gateway.config.DnsDiscoveryProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNS discovery against a real DNS server on loopback: the instance list follows the
 * name's records within the refresh interval.
 */
class DnsDiscoveryClientTests {

	private final TestDnsServer dns = new TestDnsServer();

	private DnsDiscoveryClient client;

	DnsDiscoveryClientTests() throws InterruptedException {
	}

	@AfterEach
	void stop() {
		if (this.client != null && this.client.isRunning()) {
			this.client.stop();
		}
		this.dns.close();
	}

	@Test
	void shouldListEveryAddressSortedWithThePortAndManagementPort() {
		this.dns.set("worker.test", "10.0.0.3", "10.0.0.1", "10.0.0.2");
		start(8081);
		assertThat(instances()).extracting(ServiceInstance::getHost)
			.containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
		ServiceInstance first = instances().get(0);
		assertThat(first.getPort()).isEqualTo(9001);
		assertThat(first.getServiceId()).isEqualTo("worker-service");
		assertThat(first.getMetadata()).containsEntry("management.port", "8081");
		assertThat(this.client.getServices().collectList().block()).containsExactly("worker-service");
	}

	@Test
	void shouldFollowScaleUpAndDown() {
		this.dns.set("worker.test", "10.0.0.1");
		start(null);
		assertThat(instances()).hasSize(1);
		this.dns.set("worker.test", "10.0.0.1", "10.0.0.2", "10.0.0.3");
		awaitTrue(() -> instances().size() == 3);
		this.dns.set("worker.test", "10.0.0.2");
		awaitTrue(() -> instances().size() == 1);
		assertThat(instances().get(0).getHost()).isEqualTo("10.0.0.2");
		assertThat(instances().get(0).getMetadata()).isEmpty();
	}

	@Test
	void shouldEmptyTheListWhenTheNameIsGone() {
		this.dns.set("worker.test", "10.0.0.1");
		start(null);
		this.dns.remove("worker.test");
		awaitTrue(() -> instances().isEmpty());
	}

	@Test
	void shouldKeepTheLastListWhileTheServerFails() throws InterruptedException {
		this.dns.set("worker.test", "10.0.0.1", "10.0.0.2");
		start(null);
		this.dns.silent(true);
		Thread.sleep(800);
		assertThat(instances()).hasSize(2);
		this.dns.set("worker.test", "10.0.0.9");
		this.dns.silent(false);
		awaitTrue(() -> instances().size() == 1);
	}

	private void start(Integer managementPort) {
		this.client = new DnsDiscoveryClient(new DnsDiscoveryProperties(true,
				Map.of("worker-service", new DnsDiscoveryProperties.Service("worker.test", 9001, managementPort)),
				Duration.ofMillis(100), Duration.ofMillis(200), this.dns.address()));
		this.client.start();
	}

	private List<ServiceInstance> instances() {
		return this.client.getInstances("worker-service").collectList().block();
	}

	private static void awaitTrue(BooleanSupplier condition) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition not met within 5 s").isLessThan(deadline);
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
