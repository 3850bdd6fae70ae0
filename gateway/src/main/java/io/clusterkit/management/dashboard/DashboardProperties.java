package io.clusterkit.management.dashboard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live dashboard on the management port. Bound here so that a wrong value stops
 * start-up naming the key; the management context's {@code DashboardConfiguration} reads
 * the same switch in its condition.
 *
 * @param enabled whether {@code /actuator/dashboard} is served
 * @author clusterkit
 */
@ConfigurationProperties(DashboardProperties.PREFIX)
public record DashboardProperties(@DefaultValue("true") boolean enabled) {

	/** Prefix of the dashboard settings. */
	public static final String PREFIX = "cluster.dashboard";

}
