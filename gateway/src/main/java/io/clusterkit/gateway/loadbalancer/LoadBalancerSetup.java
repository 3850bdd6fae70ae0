package io.clusterkit.gateway.loadbalancer;

import java.util.concurrent.ThreadLocalRandom;

import io.clusterkit.gateway.balancer.Algorithm;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Weighting;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.config.HealthProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts the clusterkit balancer behind every {@code lb://} service, around the one shared
 * registry of endpoints, and counts every proxied request in flight.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class LoadBalancerSetup {

	@Bean
	EndpointRegistry endpointRegistry(BalancerProperties balancer, HealthProperties health) {
		return new EndpointRegistry(balancer.peakEwma().decay().toNanos(), health.enabled(), System::nanoTime);
	}

	@Bean
	ServicePools servicePools(EndpointRegistry registry, BalancerProperties properties) {
		BalancerProperties.SlowStart slowStart = properties.slowStart();
		return new ServicePools(registry, (serviceId) -> {
			Algorithm algorithm = properties.algorithmFor(serviceId);
			return new ServicePools.Balancing(
					algorithm.create(() -> ThreadLocalRandom.current().nextLong(), System::nanoTime),
					new Weighting(algorithm.weighted(), slowStart.window().toNanos(), slowStart.initialPercent()));
		}, System::nanoTime);
	}

	@Bean
	PickFilter pickFilter(ServicePools pools) {
		return new PickFilter(pools);
	}

	@Bean
	InFlightAccountingFilter inFlightAccountingFilter(EndpointRegistry registry) {
		return new InFlightAccountingFilter(registry);
	}

}
