package io.clusterkit.management;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.health.ActiveHealthChecker;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What operators see of the pool: per-instance meters and the {@code balancer} endpoint,
 * in the application's context, where the pool is (imported by the application; the
 * management context reads them from there).
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
public class ManagementConfiguration {

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
