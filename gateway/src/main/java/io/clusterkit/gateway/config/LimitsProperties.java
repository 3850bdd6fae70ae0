package io.clusterkit.gateway.config;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of the public port. Request-line and header sizes are Spring Boot's own settings
 * ({@code server.netty.max-initial-line-length},
 * {@code server.max-http-request-header-size}); these are the ones Spring Boot lacks, and
 * the keep-alive idle timeout, which replaces {@code server.netty.idle-timeout}.
 *
 * @param maxBodySize the largest request body a route accepts, chunked or not, unless the
 * route's metadata {@code max-body-size} says otherwise; larger ones are answered 413
 * @param headerTimeout how long a client may take to send a request's line and headers,
 * from its first byte (or from connecting, for a connection's first request); 408 after
 * it, which is what stops a slowloris client holding connections with a trickle of bytes;
 * over HTTP/2, a connection that opened no stream in this time is closed
 * @param idleTimeout a keep-alive connection with every request answered and no byte of a
 * next one for this long is closed (over HTTP/2: no stream open); 1 s to 1 h
 * @param maxConnections concurrent client connections; further ones wait in the kernel's
 * accept queue until one closes, as with HAProxy's {@code maxconn}
 * @param bodyTimeout longest silence allowed while a request body streams in (time with
 * reading paused by a slow instance does not count); 408 after it (over HTTP/2 on the
 * stream, which is then reset), the upstream request aborted mid-body and nothing charged
 * to the instance; 100 ms to 10 min
 * @param websocketIdleTimeout a proxied WebSocket with no frame either way for this long
 * is closed with status 1001 on both sides, so idle sockets cannot pile up; 1 s to 24 h
 * @param maxConnectionsPerClient requests in progress and WebSockets one client address
 * (behind trusted proxies, the client they name) may hold at once; 429 past it; 0 turns
 * the cap off; 0 to 1,000,000
 * @param maxConcurrentStreams streams one HTTP/2 client connection may have open at once
 * (its {@code SETTINGS_MAX_CONCURRENT_STREAMS}); a client opening more has them refused
 * by the protocol; 1 to 1,000
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(LimitsProperties.PREFIX)
public record LimitsProperties(@DefaultValue("1MB") DataSize maxBodySize,
		@DurationMin(millis = 100) @DurationMax(minutes = 10) @DefaultValue("10s") Duration headerTimeout,
		@DurationMin(seconds = 1) @DurationMax(hours = 1) @DefaultValue("60s") Duration idleTimeout,
		@Min(1) @Max(1_000_000) @DefaultValue("10000") int maxConnections,
		@DurationMin(millis = 100) @DurationMax(minutes = 10) @DefaultValue("10s") Duration bodyTimeout,
		@DurationMin(seconds = 1) @DurationMax(hours = 24) @DefaultValue("5m") Duration websocketIdleTimeout,
		@Min(0) @Max(1_000_000) @DefaultValue("256") int maxConnectionsPerClient,
		@Min(1) @Max(1_000) @DefaultValue("100") int maxConcurrentStreams) {

	/** Prefix of the limit settings. */
	public static final String PREFIX = "cluster.limits";

	/** The route metadata key of a route's own body limit. */
	public static final String ROUTE_MAX_BODY_SIZE = "max-body-size";

	public LimitsProperties {
		if (maxBodySize.isNegative()) {
			throw new IllegalArgumentException(PREFIX + ".max-body-size must not be negative, got " + maxBodySize);
		}
	}

}
