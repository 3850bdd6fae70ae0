package io.clusterkit.gateway.config;

import java.time.Duration;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpMethod;
import org.springframework.validation.annotation.Validated;

/**
 * Retries of failed idempotent requests on another instance.
 *
 * @param enabled whether failed requests are retried at all
 * @param maxRetries retries after the first attempt; 0 to 10
 * @param methods the methods retried; requests with a body are never retried, whatever
 * their method, since the body is streamed to the first instance and not kept
 * @param statuses upstream statuses that count as a failure worth retrying
 * @param backoff wait before the first retry, doubled before each further one; 0 to 1 s
 * @param budget the cap on retries as a share of live traffic
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(RetryProperties.PREFIX)
public record RetryProperties(@DefaultValue("true") boolean enabled, @Min(0) @Max(10) @DefaultValue("2") int maxRetries,
		@NotEmpty @DefaultValue( {
				"GET", "HEAD", "OPTIONS" }) Set<HttpMethod> methods,
		@NotEmpty @DefaultValue({ "502", "503" }) Set<Integer> statuses,
		@DurationMin(millis = 0) @DurationMax(seconds = 1) @DefaultValue("20ms") Duration backoff,
		@Valid @DefaultValue Budget budget){

	/** Prefix of the retry settings. */
	public static final String PREFIX = "cluster.retry";

	/**
	 * The retry budget.
	 *
	 * @param percent retries allowed per 100 requests; 0 to 100
	 * @param minPerSecond retries always allowed per second, so low traffic can retry; 0
	 * to 1000
	 */
	public record Budget(@Min(0) @Max(100) @DefaultValue("20") int percent,
			@Min(0) @Max(1000) @DefaultValue("10") int minPerSecond) {

	}

}
