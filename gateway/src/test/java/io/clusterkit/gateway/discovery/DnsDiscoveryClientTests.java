package io.clusterkit.gateway.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.clusterkit.gateway.Await;
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
	void shouldListEveryAddressSortedWithThePortsAndScheme() {
		this.dns.set("worker.test", "10.0.0.3", "10.0.0.1", "10.0.0.2");
		start(8081, true);
		assertThat(instances()).extracting(ServiceInstance::getHost)
			.containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
		ServiceInstance first = instances().get(0);
		assertThat(first.getPort()).isEqualTo(9001);
		assertThat(first.getServiceId()).isEqualTo("worker-service");
		assertThat(first.getMetadata()).containsEntry("management.port", "8081");
		assertThat(first.isSecure()).as("secure: reached over TLS").isTrue();
		assertThat(this.client.getServices().collectList().block()).containsExactly("worker-service");
	}

	@Test
	void shouldFollowScaleUpAndDown() {
		this.dns.set("worker.test", "10.0.0.1");
		start(null, false);
		assertThat(instances()).hasSize(1);
		this.dns.set("worker.test", "10.0.0.1", "10.0.0.2", "10.0.0.3");
		Await.until("3 instances", Duration.ofSeconds(5), () -> instances().size() == 3);
		this.dns.set("worker.test", "10.0.0.2");
		Await.until("1 instance", Duration.ofSeconds(5), () -> instances().size() == 1);
		assertThat(instances().get(0).getHost()).isEqualTo("10.0.0.2");
		assertThat(instances().get(0).getMetadata()).isEmpty();
	}

	@Test
	void shouldEmptyTheListWhenTheNameIsGone() {
		this.dns.set("worker.test", "10.0.0.1");
		start(null, false);
		this.dns.remove("worker.test");
		Await.until("no instance", Duration.ofSeconds(5), () -> instances().isEmpty());
	}

	@Test
	void shouldKeepTheLastListWhileTheServerFails() {
		this.dns.set("worker.test", "10.0.0.1", "10.0.0.2");
		start(null, false);
		this.dns.silent(true);
		Await.sleep(800);
		assertThat(instances()).hasSize(2);
		this.dns.set("worker.test", "10.0.0.9");
		this.dns.silent(false);
		Await.until("1 instance", Duration.ofSeconds(5), () -> instances().size() == 1);
	}

	private void start(Integer managementPort, boolean secure) {
		this.client = new DnsDiscoveryClient(new DnsDiscoveryProperties(true,
				Map.of("worker-service",
						new DnsDiscoveryProperties.Service("worker.test", 9001, managementPort, secure)),
				Duration.ofMillis(100), Duration.ofMillis(200), this.dns.address()));
		this.client.start();
	}

	private List<ServiceInstance> instances() {
		return this.client.getInstances("worker-service").collectList().block();
	}

}
