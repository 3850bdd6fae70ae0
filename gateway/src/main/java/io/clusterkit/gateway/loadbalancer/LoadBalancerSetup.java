package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;

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
	EndpointRegistry endpointRegistry(BalancerProperties properties) {
		return new EndpointRegistry(properties.peakEwma().decay().toNanos());
	}

	@Bean
	InFlightAccountingFilter inFlightAccountingFilter() {
		return new InFlightAccountingFilter(System::nanoTime);
	}

}
