package io.clusterkit.gateway.admin;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.health.ActiveHealthChecker;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What operators see of the pool: per-instance meters and the {@code balancer} endpoint.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	UpstreamMeters upstreamMeters(MeterRegistry meters, EndpointRegistry registry) {
		UpstreamMeters upstreamMeters = new UpstreamMeters(meters);
		registry.addListener(upstreamMeters);
		return upstreamMeters;
	}

	@Bean
	BalancerEndpoint balancerEndpoint(EndpointRegistry registry, BalancerProperties properties,
			ObjectProvider<ActiveHealthChecker> checker, UpstreamMeters meters) {
		return new BalancerEndpoint(registry, properties, checker, meters, System::nanoTime);
	}

}
