package io.clusterkit.gateway.config;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Active health checks: the gateway probes every instance's readiness endpoint.
 *
 * @param enabled whether instances are probed at all; off, every known instance is UP
 * @param path the readiness path probed on each instance's management port
 * @param interval time between two probes of one instance; 100 ms to 1 min
 * @param timeout a probe not answered within it failed; 10 ms to 30 s
 * @param rise consecutive successful probes that bring a DOWN instance UP; 1 to 100
 * @param fall consecutive failed probes that take an UP instance DOWN; 1 to 100
 * @param services per-service overrides of interval, timeout, rise and fall, by service
 * id
 * @param ejection passive ejection after consecutive failures, and its limits
 * @param latencyOutliers ejection of instances much slower than their peers
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(HealthProperties.PREFIX)
public record HealthProperties(@DefaultValue("true") boolean enabled,
		@NotBlank @Pattern(regexp = "/.*") @DefaultValue("/actuator/health/readiness") String path,
		@DurationMin(millis = 100) @DurationMax(minutes = 1) @DefaultValue("1s") Duration interval,
		@DurationMin(millis = 10) @DurationMax(seconds = 30) @DefaultValue("500ms") Duration timeout,
		@Min(1) @Max(100) @DefaultValue("2") int rise, @Min(1) @Max(100) @DefaultValue("3") int fall,
		@Nullable Map<String, @Valid Service> services, @Valid @DefaultValue Ejection ejection,
		@Valid @DefaultValue LatencyOutliers latencyOutliers) {

	/** Prefix of the health-check settings. */
	public static final String PREFIX = "cluster.health";

	public HealthProperties {
		services = (services != null) ? Map.copyOf(services) : Map.of();
	}

	/**
	 * The check a service gets: its own settings where it has them, the defaults
	 * elsewhere.
	 * @param serviceId the service
	 * @return its check
	 */
	public Check checkFor(String serviceId) {
		Service own = this.services.getOrDefault(serviceId, new Service(null, null, null, null));
		return new Check((own.interval() != null) ? own.interval() : this.interval,
				(own.timeout() != null) ? own.timeout() : this.timeout, (own.rise() != null) ? own.rise() : this.rise,
				(own.fall() != null) ? own.fall() : this.fall);
	}

	/**
	 * Per-service overrides; unset fields take the defaults.
	 *
	 * @param interval time between two probes
	 * @param timeout probe timeout
	 * @param rise successes to come UP
	 * @param fall failures to go DOWN
	 */
	public record Service(@Nullable @DurationMin(millis = 100) @DurationMax(minutes = 1) Duration interval,
			@Nullable @DurationMin(millis = 10) @DurationMax(seconds = 30) Duration timeout,
			@Nullable @Min(1) @Max(100) Integer rise, @Nullable @Min(1) @Max(100) Integer fall) {

	}

	/**
	 * Passive ejection (Envoy's outlier detection): consecutive connect failures or 5xx
	 * answers eject an instance; it returns after its ejection time, on a successful
	 * probe.
	 *
	 * @param consecutiveFailures failures in a row that eject; 0 turns ejection off; 0 to
	 * 1000
	 * @param baseTime the first ejection's length, doubled on each repeated one; 100 ms
	 * to 1 h
	 * @param maxTime the longest ejection; an instance that stays in for this long starts
	 * again from the base time; 100 ms to 1 h
	 * @param maxEjectionPercent the largest share of a service's instances that may be
	 * ejected at once, as Envoy's {@code max_ejection_percent}; one instance may always
	 * be ejected. Past it, failures are still counted but nobody more is ejected, so
	 * passive health can never empty a pool; 0 to 100
	 */
	public record Ejection(@Min(0) @Max(1000) @DefaultValue("5") int consecutiveFailures,
			@DurationMin(millis = 100) @DurationMax(hours = 1) @DefaultValue("30s") Duration baseTime,
			@DurationMin(millis = 100) @DurationMax(hours = 1) @DefaultValue("5m") Duration maxTime,
			@Min(0) @Max(100) @DefaultValue("50") int maxEjectionPercent) {

	}

	/**
	 * Latency outlier detection: every interval, an instance whose median latency over it
	 * is {@code factor} times its peers' median and above {@code floor}, with at least
	 * {@code min-requests} responses, is ejected for {@code ejection-time} (under the
	 * same max-ejection-percent as every ejection), readmitted by an active probe and
	 * slow start, and judged again on probation after {@code min-requests} responses.
	 * Needs active checks, as all ejection does.
	 *
	 * @param enabled whether slow instances are ejected
	 * @param interval the window judged each time; 1 s to 10 min
	 * @param factor how many times its peers' median latency makes an instance an
	 * outlier; 1.5 to 100
	 * @param floor the median latency below which no instance is an outlier; 1 ms to 1
	 * min
	 * @param minRequests responses an instance needs in a window to be judged, and a
	 * readmitted instance serves on probation before it is judged again; 1 to 1,000,000
	 * @param ejectionTime how long a latency outlier stays out, every time (no doubling:
	 * probation sends a still-slow instance straight back out, and a recovered one
	 * returns within this time); 1 s to 1 h
	 */
	public record LatencyOutliers(@DefaultValue("true") boolean enabled,
			@DurationMin(seconds = 1) @DurationMax(minutes = 10) @DefaultValue("10s") Duration interval,
			@DecimalMin("1.5") @DecimalMax("100") @DefaultValue("3") double factor,
			@DurationMin(millis = 1) @DurationMax(minutes = 1) @DefaultValue("20ms") Duration floor,
			@Min(1) @Max(1_000_000) @DefaultValue("20") int minRequests,
			@DurationMin(seconds = 1) @DurationMax(hours = 1) @DefaultValue("15s") Duration ejectionTime) {

	}

	/**
	 * The effective check of one service.
	 *
	 * @param interval time between two probes
	 * @param timeout probe timeout
	 * @param rise successes to come UP
	 * @param fall failures to go DOWN
	 */
	public record Check(Duration interval, Duration timeout, int rise, int fall) {

	}

}
