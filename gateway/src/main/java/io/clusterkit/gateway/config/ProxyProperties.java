package io.clusterkit.gateway.config;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway talks to the instances it proxies to. The connection pool is Spring
 * Cloud Gateway's own setting
 * ({@code spring.cloud.gateway.server.webflux.httpclient.pool}); its
 * {@code response-timeout} is refused, because it counts from the request's start and so
 * blames an instance for a client that uploads slowly, and so is its
 * {@code connect-timeout}, which it applies to a copy of the client's configuration on
 * every request.
 *
 * @param connectTimeout longest wait for a TCP connection to an instance; 502 after it,
 * counted against the instance; 10 ms to 1 min
 * @param responseTimeout longest silence allowed from an instance once the whole request
 * was sent to it, while it answers; 504 after it, counted against the instance. It must
 * stay above the longest pause of any streamed answer; 100 ms to 1 h
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(ProxyProperties.PREFIX)
public record ProxyProperties(
		@DurationMin(millis = 10) @DurationMax(minutes = 1) @DefaultValue("2s") Duration connectTimeout,
		@DurationMin(millis = 100) @DurationMax(hours = 1) @DefaultValue("70s") Duration responseTimeout) {

	/** Prefix of the proxy settings. */
	public static final String PREFIX = "cluster.proxy";

}
