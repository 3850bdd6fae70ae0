package io.clusterkit.gateway.config;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway follows discovery: instances that appear join the pool, those that
 * leave take no new requests at once and are retired when their requests have ended.
 *
 * @param refreshInterval how often discovery is read into the pool; an instance that
 * leaves discovery stops taking requests within it; 100 ms to 1 min
 * @param departureGrace the longest an instance that left discovery is kept for its
 * requests in flight (streams, WebSockets); past it, it is retired with them still
 * running; 0 to 1 h
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(MembershipProperties.PREFIX)
public record MembershipProperties(
		@DurationMin(millis = 100) @DurationMax(minutes = 1) @DefaultValue("1s") Duration refreshInterval,
		@DurationMin(millis = 0) @DurationMax(hours = 1) @DefaultValue("30s") Duration departureGrace) {

	/** Prefix of the membership settings. */
	public static final String PREFIX = "cluster.membership";

}
