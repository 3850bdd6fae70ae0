package io.clusterkit.worker.faults;

import java.time.Duration;

import io.clusterkit.worker.WorkerProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/faults}: the injected faults, read and changed at run time (a worker
 * that degrades and recovers, for benchmarks and demos). Not exposed unless listed in
 * {@code management.endpoints.web.exposure.include}; whoever reaches it can make the
 * worker slow or failing, so list it only where the management port is the cluster's own.
 *
 * @author clusterkit
 */
@Component
@Endpoint(id = "faults")
class FaultsEndpoint {

	private final FaultInjectionFilter filter;

	FaultsEndpoint(FaultInjectionFilter filter) {
		this.filter = filter;
	}

	@ReadOperation
	WorkerProperties.Faults faults() {
		return this.filter.faults();
	}

	/**
	 * Change the faults; what is left out stays as it is.
	 * @param extraLatency the extra latency, such as {@code 100ms}
	 * @param errorRate the fraction answered 503
	 * @param extraLatencyRate the fraction the extra latency is added to
	 * @return the faults now
	 */
	@WriteOperation
	WorkerProperties.Faults configure(@Nullable Duration extraLatency, @Nullable Double errorRate,
			@Nullable Double extraLatencyRate) {
		WorkerProperties.Faults current = this.filter.faults();
		try {
			WorkerProperties.Faults next = new WorkerProperties.Faults(
					(extraLatency != null) ? extraLatency : current.extraLatency(),
					(errorRate != null) ? errorRate : current.errorRate(),
					(extraLatencyRate != null) ? extraLatencyRate : current.extraLatencyRate());
			this.filter.apply(next);
			return next;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
	}

}
