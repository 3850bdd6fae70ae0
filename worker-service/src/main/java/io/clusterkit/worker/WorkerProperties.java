package io.clusterkit.worker;

import java.time.Duration;

import jakarta.validation.Valid;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of a worker instance.
 *
 * @param instanceId the id this instance reports in every /api response and in the
 * {@code X-Instance-Id} header; empty means host name and port
 * @param faults faults injected for demos and benchmarks, off by default
 * @param echo limits of the echo endpoint
 * @param lifecycle how the worker leaves on SIGTERM
 * @param loadReport the load this instance reports to the gateways on every response
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(WorkerProperties.PREFIX)
public record WorkerProperties(@Nullable String instanceId, @Valid @DefaultValue Faults faults,
		@Valid @DefaultValue Echo echo, @Valid @DefaultValue Lifecycle lifecycle,
		@Valid @DefaultValue LoadReport loadReport) {

	/** Prefix of every worker setting. */
	public static final String PREFIX = "worker";

	/**
	 * Faults injected into /api requests, off by default; changed at run time through the
	 * {@code faults} actuator endpoint, where it is exposed.
	 *
	 * @param extraLatency added to an /api response, before it is produced; 0 to 60 s
	 * @param errorRate fraction of /api requests answered 503, from 0 to 1
	 * @param extraLatencyRate fraction of /api requests the extra latency is added to,
	 * from 0 to 1 (0.1 with 200 ms: a GC-pause pattern)
	 */
	public record Faults(@DefaultValue("0ms") Duration extraLatency, @DefaultValue("0") double errorRate,
			@DefaultValue("1") double extraLatencyRate) {

		/** The longest extra latency. */
		public static final Duration MAX_EXTRA_LATENCY = Duration.ofSeconds(60);

		// one rule for start-up and for the faults endpoint, which builds these later
		public Faults {
			if (extraLatency.isNegative() || extraLatency.compareTo(MAX_EXTRA_LATENCY) > 0) {
				throw new IllegalArgumentException("extraLatency must be from 0 to 60s, got " + extraLatency);
			}
			if (!(errorRate >= 0 && errorRate <= 1) || !(extraLatencyRate >= 0 && extraLatencyRate <= 1)) {
				throw new IllegalArgumentException("errorRate and extraLatencyRate must be from 0 to 1, got "
						+ errorRate + " and " + extraLatencyRate);
			}
		}

		public boolean enabled() {
			return (!this.extraLatency.isZero() && this.extraLatencyRate > 0) || this.errorRate > 0;
		}

	}

	/**
	 * Limits of {@code POST /api/v1/echo}.
	 *
	 * @param maxBytes the largest body echoed; a larger one is refused with 413
	 */
	public record Echo(@DefaultValue("1MB") DataSize maxBytes) {

	}

	/**
	 * Shutdown behaviour.
	 *
	 * @param drainDelay how long the worker keeps serving after SIGTERM with readiness
	 * OUT_OF_SERVICE, before it closes its port: the gateways' fall x interval (3 x 1 s)
	 * plus a margin; 0 to 60 s
	 */
	public record Lifecycle(
			@DurationMin(millis = 0) @DurationMax(seconds = 60) @DefaultValue("5s") Duration drainDelay) {

	}

	/**
	 * The load report every response carries: header {@code endpoint-load-metrics} in
	 * ORCA's TEXT form, read by every gateway in front of this instance.
	 *
	 * @param enabled whether responses carry the load report
	 * @param interval how often CPU utilization and the request and error rates are
	 * measured again; the in-flight count is current on every response; 100 ms to 1 min
	 */
	public record LoadReport(@DefaultValue("true") boolean enabled,
			@DurationMin(millis = 100) @DurationMax(minutes = 1) @DefaultValue("1s") Duration interval) {

	}

}
