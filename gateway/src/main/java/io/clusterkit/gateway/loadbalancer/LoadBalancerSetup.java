package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.config.HealthProperties;

import org.springframework.beans.factory.ObjectProvider;
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
	EndpointRegistry endpointRegistry(BalancerProperties balancer, HealthProperties health,
			ObjectProvider<EndpointRegistry.Listener> listener) {
		// readmission needs a successful active probe: without probes, nothing is ejected
		HealthProperties.Ejection ejection = health.ejection();
		return new EndpointRegistry(balancer.peakEwma().decay().toNanos(),
				health.enabled()
						? new EndpointRegistry.Ejection(ejection.consecutiveFailures(), ejection.baseTime().toNanos(),
								ejection.maxTime().toNanos(), ejection.maxEjectionPercent())
						: EndpointRegistry.Ejection.OFF,
				health.enabled(), listener.getIfAvailable(() -> EndpointRegistry.Listener.NONE), System::nanoTime);
	}

	@Bean
	InFlightAccountingFilter inFlightAccountingFilter(EndpointRegistry registry) {
		return new InFlightAccountingFilter(registry);
	}

}
