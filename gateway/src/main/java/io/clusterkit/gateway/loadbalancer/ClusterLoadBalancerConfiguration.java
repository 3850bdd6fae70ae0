package io.clusterkit.gateway.loadbalancer;

import java.util.concurrent.ThreadLocalRandom;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;

import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The beans of each service's own load-balancer context (one child context per service,
 * as Spring Cloud LoadBalancer makes them). Deliberately not a {@code @Configuration}:
 * component scanning must not load it into the main context.
 *
 * @author clusterkit
 */
class ClusterLoadBalancerConfiguration {

	@Bean
	ServiceInstanceListSupplier serviceInstanceListSupplier(ConfigurableApplicationContext context) {
		// No caching layer: discovery clients hand out their current list cheaply, and a
		// cache would only delay changes of the pool.
		return ServiceInstanceListSupplier.builder().withDiscoveryClient().build(context);
	}

	@Bean
	ReactorServiceInstanceLoadBalancer clusterLoadBalancer(Environment environment, LoadBalancerClientFactory factory,
			BalancerProperties properties, EndpointRegistry registry) {
		String serviceId = environment.getRequiredProperty(LoadBalancerClientFactory.PROPERTY_NAME);
		return new ClusterLoadBalancer(serviceId, factory.getLazyProvider(serviceId, ServiceInstanceListSupplier.class),
				properties.algorithmFor(serviceId)
					.create(() -> ThreadLocalRandom.current().nextLong(), System::nanoTime),
				registry);
	}

}
