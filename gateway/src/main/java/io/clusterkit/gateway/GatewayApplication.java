package io.clusterkit.gateway;

import io.clusterkit.management.ManagementConfiguration;
import io.netty.util.ResourceLeakDetector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/**
 * The cluster's front door: Spring Cloud Gateway balancing across the workers. Spring
 * Security's reactive auto-configuration stays out of this context: the operators' chain
 * is configured for the management context only
 * ({@code io.clusterkit.management.security.OperatorSecurityConfiguration}), so proxied
 * requests pass no security filter. Everything operators see lives under
 * {@code io.clusterkit.management}, outside this package's scan: its dashboard and
 * security belong to the management context alone (listed for it in
 * {@code ManagementContextConfiguration.imports}), and the endpoint and meters that read
 * the pool are imported here.
 *
 * @author clusterkit
 */
@SpringBootApplication(excludeName = {
		"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
@ConfigurationPropertiesScan({ "io.clusterkit.gateway", "io.clusterkit.management" })
@Import(ManagementConfiguration.class)
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
