package io.clusterkit.gateway.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.clusterkit.gateway.balancer.Algorithm;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Weighting;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The adapter keeps one pool per instance list and registry version, and rebuilds it per
 * slow-start step while an instance ramps, with no other change to trigger it.
 */
class ClusterLoadBalancerTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private long now = 1000 * SECOND;

	private final EndpointRegistry registry = new EndpointRegistry(SECOND, () -> this.now);

	private final List<ServiceInstance> instances = new ArrayList<>(List.of(instance(1), instance(2)));

	private final ClusterLoadBalancer balancer = new ClusterLoadBalancer("s",
			new StaticListableBeanFactory(Map.of("supplier", new Supplier()))
				.getBeanProvider(ServiceInstanceListSupplier.class),
			Algorithm.ROUND_ROBIN.create(new SplittableRandom(1), () -> this.now),
			new Weighting(false, 10 * SECOND, 10), this.registry, this::readClock);

	private int clockReads;

	@Test
	void shouldRampANewInstanceUpAsTimePasses() {
		assertThat(shareOfPort(3)).isZero();
		this.now += 60 * SECOND;
		this.instances.add(instance(3));
		assertThat(shareOfPort(3)).isCloseTo(2.0 / 42, within(0.01));
		this.now += 5 * SECOND;
		assertThat(shareOfPort(3)).isCloseTo(11.0 / 51, within(0.01));
		this.now += 5 * SECOND;
		assertThat(shareOfPort(3)).isCloseTo(1.0 / 3, within(0.01));
	}

	@Test
	void shouldNotReadTheClockOnceNothingRamps() {
		pick();
		this.now += 60 * SECOND;
		pick();
		this.clockReads = 0;
		assertThat(shareOfPort(1)).isEqualTo(0.5);
		assertThat(this.clockReads).isZero();
	}

	private double shareOfPort(int port) {
		int picks = 4200;
		int hits = 0;
		for (int i = 0; i < picks; i++) {
			hits += (pick().getPort() == port) ? 1 : 0;
		}
		return hits / (double) picks;
	}

	private ServiceInstance pick() {
		return this.balancer.choose(new DefaultRequest<>()).block().getServer();
	}

	private long readClock() {
		this.clockReads++;
		return this.now;
	}

	private static ServiceInstance instance(int port) {
		return new DefaultServiceInstance("s-" + port, "s", "127.0.0.1", port, false);
	}

	private final class Supplier implements ServiceInstanceListSupplier {

		@Override
		public String getServiceId() {
			return "s";
		}

		@Override
		public Flux<List<ServiceInstance>> get() {
			return Flux.just(List.copyOf(ClusterLoadBalancerTests.this.instances));
		}

	}

}
