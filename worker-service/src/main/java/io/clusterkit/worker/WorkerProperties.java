package io.clusterkit.worker;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
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
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(WorkerProperties.PREFIX)
public record WorkerProperties(@Nullable String instanceId, @Valid @DefaultValue Faults faults,
		@Valid @DefaultValue Echo echo, @Valid @DefaultValue Lifecycle lifecycle) {

	/** Prefix of every worker setting. */
	public static final String PREFIX = "worker";

	/**
	 * Faults injected into every /api request, off by default.
	 *
	 * @param extraLatency added to every /api response, before it is produced; 0 to 60 s
	 * @param errorRate fraction of /api requests answered 503, from 0 to 1
	 */
	public record Faults(@DurationMin(millis = 0) @DurationMax(seconds = 60) @DefaultValue("0ms") Duration extraLatency,
			@DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0") double errorRate) {

		public boolean enabled() {
			return !this.extraLatency.isZero() || this.errorRate > 0;
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

}
