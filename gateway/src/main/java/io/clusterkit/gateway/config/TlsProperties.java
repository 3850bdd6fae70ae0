package io.clusterkit.gateway.config;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the gateway adds while its public port speaks TLS (the {@code tls} profile, or any
 * {@code server.ssl} configuration): HTTP Strict Transport Security, so that a browser
 * that once reached it over HTTPS never falls back to plain HTTP.
 *
 * @param hstsMaxAge how long a browser keeps to HTTPS for this host (the
 * {@code Strict-Transport-Security} header's {@code max-age}, sent with every response);
 * 0 tells browsers to forget an earlier one (RFC 6797), the way to step back from HSTS; 0
 * to 730 days
 * @param hstsIncludeSubdomains whether the header covers the host's subdomains too
 * ({@code includeSubDomains})
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(TlsProperties.PREFIX)
public record TlsProperties(
		@DurationMin(seconds = 0) @DurationMax(days = 730) @DefaultValue("365d") Duration hstsMaxAge,
		@DefaultValue("false") boolean hstsIncludeSubdomains) {

	/** Prefix of the TLS settings. */
	public static final String PREFIX = "cluster.tls";

}
