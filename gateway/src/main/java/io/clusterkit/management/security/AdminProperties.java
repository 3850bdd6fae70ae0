package io.clusterkit.management.security;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may change the pool at run time through the management port.
 *
 * @param username the operator's user name
 * @param password the operator's password; no default: without one, every write operation
 * is refused (401) while reads stay open
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(AdminProperties.PREFIX)
public record AdminProperties(@NotBlank @DefaultValue("operator") String username, @Nullable String password) {

	/** Prefix of the operator settings. */
	public static final String PREFIX = "cluster.admin";

}
