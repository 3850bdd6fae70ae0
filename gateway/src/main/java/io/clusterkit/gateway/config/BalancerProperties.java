package io.clusterkit.gateway.config;

import java.time.Duration;
import java.util.Map;

import io.clusterkit.gateway.balancer.Algorithm;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway balances requests across the instances of each service.
 *
 * @param algorithm the algorithm of every service without its own:
 * {@code least-connections} (default), {@code round-robin}, {@code weighted-round-robin},
 * {@code weighted-least-connections}, {@code power-of-two-choices}, {@code peak-ewma} or
 * {@code load-weighted}
 * @param services per-service settings, by service id
 * @param peakEwma settings of the {@code peak-ewma} latency estimate
 * @param slowStart how an instance that turns eligible ramps up its share, whatever the
 * algorithm
 * @param loadReport what the gateway makes of the load instances report on their
 * responses
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(BalancerProperties.PREFIX)
public record BalancerProperties(@NotNull @DefaultValue("least-connections") Algorithm algorithm,
		@Nullable Map<String, @Valid Service> services, @Valid @DefaultValue PeakEwma peakEwma,
		@Valid @DefaultValue SlowStart slowStart, @Valid @DefaultValue LoadReport loadReport) {

	/** Prefix of the balancer settings. */
	public static final String PREFIX = "cluster.balancer";

	public BalancerProperties {
		services = (services != null) ? Map.copyOf(services) : Map.of();
	}

	/**
	 * The algorithm a service uses.
	 * @param serviceId the service
	 * @return its own algorithm, or the default one
	 */
	public Algorithm algorithmFor(String serviceId) {
		Service service = this.services.get(serviceId);
		return (service != null && service.algorithm() != null) ? service.algorithm() : this.algorithm;
	}

	/**
	 * Settings of one service.
	 *
	 * @param algorithm its algorithm; unset means the default one
	 */
	public record Service(@Nullable Algorithm algorithm) {

	}

	/**
	 * The peak-EWMA latency estimate.
	 *
	 * @param decay the time constant: how fast an estimate forgets a peak, and so how
	 * soon a recovered instance gets its share back; at least 1 ms
	 */
	public record PeakEwma(@DurationMin(millis = 1) @DefaultValue("10s") Duration decay) {

	}

	/**
	 * Slow start: an instance first seen, UP again or readmitted after an ejection starts
	 * at a fraction of its weight, growing linearly to the full weight over a window.
	 *
	 * @param window how long the ramp lasts; 0 turns slow start off
	 * @param initialPercent the share of its weight a ramp starts at, from 1 to 100
	 * (rounded to 5 % steps)
	 */
	public record SlowStart(@DurationMin(millis = 0) @DurationMax(hours = 1) @DefaultValue("10s") Duration window,
			@Min(1) @Max(100) @DefaultValue("10") int initialPercent) {

	}

	/**
	 * Load reports: the header {@code endpoint-load-metrics} (ORCA, TEXT encoding) that
	 * instances send on their responses, read by every gateway, so that least connections
	 * and power of two choices also count what other gateways have in flight there.
	 *
	 * @param enabled whether reports are read (they are stripped from responses either
	 * way)
	 * @param maxAge how long a report counts: an instance this gateway sends nothing to
	 * sends it no new report, and what it said ages; 100 ms to 1 min
	 */
	public record LoadReport(@DefaultValue("true") boolean enabled,
			@DurationMin(millis = 100) @DurationMax(minutes = 1) @DefaultValue("2s") Duration maxAge) {

	}

}
