package io.clusterkit.gateway.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * A token bucket per client address on the public port, in this gateway's memory. With
 * several gateways each one limits on its own; a shared limit needs a shared store (see
 * the README's Security section for the Redis-backed variant).
 *
 * @param enabled whether requests are limited at all; off by default
 * @param requestsPerSecond the rate a client's bucket refills at; 0.001 to 1,000,000
 * @param burst the bucket's size: requests a client with a full bucket may send at once;
 * 1 to 1,000,000
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(RateLimitProperties.PREFIX)
public record RateLimitProperties(@DefaultValue("false") boolean enabled,
		@DecimalMin("0.001") @DecimalMax("1000000") @DefaultValue("50") double requestsPerSecond,
		@Min(1) @Max(1_000_000) @DefaultValue("100") int burst) {

	/** Prefix of the rate limit settings. */
	public static final String PREFIX = "cluster.rate-limit";

}
