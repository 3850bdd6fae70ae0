package io.clusterkit.gateway;

import java.time.Duration;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gateway holds against its instances, as the tests check it: requests in
 * flight, and failures charged or ejections after a client misbehaved, which must be
 * none.
 */
public final class Accounting {

	private Accounting() {
	}

	/**
	 * Requests in flight on all instances.
	 * @param registry the gateway's instances
	 * @return their sum
	 */
	public static int inFlight(EndpointRegistry registry) {
		return registry.endpoints().stream().mapToInt(Endpoint::inFlight).sum();
	}

	/**
	 * Wait until no request is in flight.
	 * @param registry the gateway's instances
	 */
	public static void awaitIdle(EndpointRegistry registry) {
		Await.until("no request in flight", Duration.ofSeconds(10), () -> inFlight(registry) == 0);
	}

	/**
	 * Every instance is there, with no failure charged and not ejected.
	 * @param registry the gateway's instances
	 * @param instances how many there are
	 */
	public static void assertNothingCharged(EndpointRegistry registry, int instances) {
		assertThat(registry.endpoints()).hasSize(instances).allSatisfy((endpoint) -> {
			assertThat(endpoint.isEjected()).as(endpoint.address() + " ejected").isFalse();
			assertThat(endpoint.failures()).as(endpoint.address() + " failures").isZero();
		});
	}

}
