package io.clusterkit.gateway.loadbalancer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.clusterkit.gateway.balancer.Algorithm;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Weighting;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The pools keep one snapshot per listing and registry version, and rebuild it per
 * slow-start step while an instance ramps, with no other change to trigger it.
 */
class ServicePoolsTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private long now = 1000 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND, () -> this.now);

	private final List<ServiceInstance> instances = new ArrayList<>(List.of(instance(1), instance(2)));

	private final ServicePools pools = new ServicePools(this.registry,
			(serviceId) -> new ServicePools.Balancing(
					Algorithm.ROUND_ROBIN.create(new SplittableRandom(1), () -> this.now),
					new Weighting(false, 10 * SECOND, 10)),
			this::readClock);

	private int clockReads;

	@Test
	void shouldRampANewInstanceUpAsTimePasses() {
		this.pools.listed(this.instances);
		assertThat(shareOfPort(3)).isZero();
		this.now += 60 * SECOND;
		this.instances.add(instance(3));
		this.pools.listed(this.instances);
		assertThat(shareOfPort(3)).isCloseTo(2.0 / 42, within(0.01));
		this.now += 5 * SECOND;
		assertThat(shareOfPort(3)).isCloseTo(11.0 / 51, within(0.01));
		this.now += 5 * SECOND;
		assertThat(shareOfPort(3)).isCloseTo(1.0 / 3, within(0.01));
	}

	@Test
	void shouldNotReadTheClockOnceNothingRamps() {
		this.pools.listed(this.instances);
		pick();
		this.now += 60 * SECOND;
		pick();
		this.clockReads = 0;
		this.pools.listed(List.copyOf(this.instances));
		assertThat(shareOfPort(1)).isEqualTo(0.5);
		assertThat(this.clockReads).isZero();
	}

	@Test
	void shouldFindNoInstanceOfAServiceDiscoveryNoLongerLists() {
		this.pools.listed(this.instances);
		assertThat(this.pools.pick("s", null)).isNotNull();
		this.pools.listed(List.of());
		assertThat(this.pools.pick("s", null)).isNull();
		assertThat(this.pools.pick("unknown", null)).isNull();
	}

	@Test
	void shouldKeepThePathAndQueryAsSentAndTheSchemeARouteNames() {
		ServicePools.Target target = new ServicePools.Target(null, "http://10.0.0.1:9001");
		URI request = URI.create("http://gateway:8080/api/v1/a%2Fb?q=%20x&y");
		assertThat(target.uri(request, null)).hasToString("http://10.0.0.1:9001/api/v1/a%2Fb?q=%20x&y");
		assertThat(target.uri(URI.create("http://gateway/ws/echo"), "ws")).hasToString("ws://10.0.0.1:9001/ws/echo");
		this.pools.listed(List.of(new DefaultServiceInstance("v6", "v6", "::1", 9002, true)));
		assertThat(this.pools.pick("v6", null).prefix()).isEqualTo("https://[::1]:9002");
	}

	private double shareOfPort(int port) {
		int picks = 4200;
		int hits = 0;
		for (int i = 0; i < picks; i++) {
			hits += pick().prefix().endsWith(":" + port) ? 1 : 0;
		}
		return hits / (double) picks;
	}

	private ServicePools.Target pick() {
		return this.pools.pick("s", null);
	}

	private long readClock() {
		this.clockReads++;
		return this.now;
	}

	private static ServiceInstance instance(int port) {
		return new DefaultServiceInstance("s-" + port, "s", "127.0.0.1", port, false);
	}

}
