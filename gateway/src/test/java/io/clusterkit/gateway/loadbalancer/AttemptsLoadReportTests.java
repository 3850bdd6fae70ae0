package io.clusterkit.gateway.loadbalancer;

import java.time.Duration;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.LoadReport;
import io.clusterkit.gateway.loadbalancer.Attempts.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A load report counts the instance's in-flight requests as the answered one arrived;
 * each attempt compares it with this gateway's count at the same moment, so one gateway
 * alone never sees load of its own as another gateway's, however its requests overlap.
 */
class AttemptsLoadReportTests {

	private final EndpointRegistry registry = new EndpointRegistry(Duration.ofSeconds(1).toNanos(), () -> 0);

	private final Endpoint endpoint = new Endpoint("10.0.0.1:9001", 1, 1);

	@Test
	void shouldSeeNoOtherGatewayWhenOwnOverlappingRequestsEndBeforeTheReportedOne() {
		Attempts first = begun();
		Attempts second = begun();
		Attempts third = begun();
		// the third arrived while the first two were there: the instance counted 3, and
		// the first two were answered before it
		first.end(Outcome.SUCCESS);
		second.end(Outcome.SUCCESS);
		third.reported(new LoadReport(0.5, 100, 0, 3, 0));

		assertThat(this.endpoint.load()).as("ours alone").isEqualTo(1);
	}

	@Test
	void shouldCountWhatTheReportHoldsBeyondOwnRequestsAsOtherGateways() {
		Attempts ours = begun();
		ours.reported(new LoadReport(0.5, 100, 0, 6, 0));

		assertThat(this.endpoint.load()).as("ours and five from elsewhere").isEqualTo(6);
		ours.end(Outcome.SUCCESS);
		assertThat(this.endpoint.load()).isEqualTo(5);
	}

	private Attempts begun() {
		Attempts attempts = new Attempts(this.registry);
		attempts.begin(this.endpoint);
		return attempts;
	}

}
