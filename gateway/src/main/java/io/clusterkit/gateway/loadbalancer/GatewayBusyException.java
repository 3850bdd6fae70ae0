package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.limits.Refusal;

import org.springframework.http.HttpStatus;

/**
 * The gateway could not get a connection to the picked instance from its own pool in
 * time: it is saturated, and says so with 503 and {@code Retry-After} instead of a 504
 * that would read as the instance's silence.
 *
 * @author clusterkit
 */
final class GatewayBusyException extends Refusal {

	GatewayBusyException(Throwable cause) {
		super(HttpStatus.SERVICE_UNAVAILABLE,
				"The gateway is busy: no upstream connection was free in time. Try again shortly.", 1);
	}

}
