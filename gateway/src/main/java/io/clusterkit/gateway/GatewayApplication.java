package io.clusterkit.gateway;

import io.netty.util.ResourceLeakDetector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The cluster's front door: Spring Cloud Gateway balancing across the workers. Spring
 * Security's reactive auto-configuration stays out of this context: the operators' chain
 * is configured for the management context only
 * ({@code io.clusterkit.operators.OperatorSecurityConfiguration}), so proxied requests
 * pass no security filter.
 *
 * @author clusterkit
 */
@SpringBootApplication(excludeName = {
		"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
@ConfigurationPropertiesScan
public class GatewayApplication {

	private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

	public static void main(String[] args) {
		if (System.getProperty(LEAK_DETECTION) == null) {
			// sampling every 128th buffer costs CPU on every request; tests keep it on
			ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
		}
		SpringApplication.run(GatewayApplication.class, args);
	}

}
