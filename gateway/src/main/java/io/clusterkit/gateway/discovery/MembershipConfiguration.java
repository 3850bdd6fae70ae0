package io.clusterkit.gateway.discovery;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.MembershipProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.discovery.composite.reactive.ReactiveCompositeDiscoveryClient;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The pool follows discovery.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class MembershipConfiguration {

	@Bean
	StaticWeightsValidator staticWeightsValidator(ObjectProvider<SimpleDiscoveryProperties> properties) {
		return new StaticWeightsValidator(properties);
	}

	@Bean
	MembershipFeed membershipFeed(ReactiveCompositeDiscoveryClient discovery, EndpointRegistry registry,
			ObjectProvider<MembershipListener> listeners, MembershipProperties properties) {
		return new MembershipFeed(discovery, registry, listeners.orderedStream().toList(), properties);
	}

}
