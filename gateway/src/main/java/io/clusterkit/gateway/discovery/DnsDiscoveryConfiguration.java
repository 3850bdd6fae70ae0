package io.clusterkit.gateway.discovery;

import io.clusterkit.gateway.config.DnsDiscoveryProperties;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * DNS discovery, on when {@code cluster.discovery.dns.enabled} is (the {@code dns}
 * profile).
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(DnsDiscoveryProperties.PREFIX + ".enabled")
class DnsDiscoveryConfiguration {

	@Bean
	DnsDiscoveryClient dnsDiscoveryClient(DnsDiscoveryProperties properties) {
		return new DnsDiscoveryClient(properties);
	}

}
