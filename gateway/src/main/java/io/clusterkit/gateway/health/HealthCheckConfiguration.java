package io.clusterkit.gateway.health;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.HealthProperties;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Active health checking of every discovered instance, and its health component.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = HealthProperties.PREFIX + ".enabled", matchIfMissing = true)
class HealthCheckConfiguration {

	@Bean
	ActiveHealthChecker activeHealthChecker(EndpointRegistry registry, HealthProperties properties) {
		return new ActiveHealthChecker(registry, properties);
	}

	@Bean
	UpstreamHealthContributor upstreamsHealthContributor(EndpointRegistry registry, ActiveHealthChecker checker) {
		return new UpstreamHealthContributor(registry, checker);
	}

}
