package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.config.HealthProperties;

import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts the clusterkit balancer behind every {@code lb://} service, around the one shared
 * registry of endpoints, and counts every proxied request in flight.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@LoadBalancerClients(defaultConfiguration = ClusterLoadBalancerConfiguration.class)
class LoadBalancerSetup {

	@Bean
	EndpointRegistry endpointRegistry(BalancerProperties balancer, HealthProperties health) {
		return new EndpointRegistry(balancer.peakEwma().decay().toNanos(), health.enabled(), System::nanoTime);
	}

	@Bean
	AttemptTimings attemptTimings() {
		return new AttemptTimings();
	}

	@Bean
	InFlightAccountingFilter inFlightAccountingFilter(EndpointRegistry registry) {
		return new InFlightAccountingFilter(registry);
	}

}
