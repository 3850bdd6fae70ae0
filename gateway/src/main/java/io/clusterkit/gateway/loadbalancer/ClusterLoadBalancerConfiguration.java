package io.clusterkit.gateway.loadbalancer;

import java.util.concurrent.ThreadLocalRandom;

import io.clusterkit.gateway.balancer.Algorithm;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Weighting;
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
		Algorithm algorithm = properties.algorithmFor(serviceId);
		BalancerProperties.SlowStart slowStart = properties.slowStart();
		return new ClusterLoadBalancer(serviceId, factory.getLazyProvider(serviceId, ServiceInstanceListSupplier.class),
				algorithm.create(() -> ThreadLocalRandom.current().nextLong(), System::nanoTime),
				new Weighting(algorithm.weighted(), slowStart.window().toNanos(), slowStart.initialPercent()), registry,
				System::nanoTime);
	}

}
