package io.clusterkit.gateway.loadreport;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.BalancerProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The instances' load reports, read on every proxied response.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class LoadReportConfiguration {

	@Bean
	LoadReports loadReports(EndpointRegistry registry, BalancerProperties properties) {
		return new LoadReports(registry, properties);
	}

}
