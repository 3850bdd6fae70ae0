package io.clusterkit.gateway.balancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which instances may receive requests the moment they are seen: all of a service's first
 * list (a starting gateway serves at once), but a newcomer to a running service only once
 * active checks found it ready.
 */
class EndpointRegistryTests {

	@Test
	void shouldStartTheFirstListUpAndHoldNewcomersDownUntilChecked() {
		EndpointRegistry registry = new EndpointRegistry(1, EndpointRegistry.Ejection.OFF, true, () -> 0);
		Endpoint first = registry.endpoint("s", "10.0.0.1", 9001, null);
		Endpoint second = registry.endpoint("s", "10.0.0.2", 9001, null);
		registry.listed("s");
		Endpoint newcomer = registry.endpoint("s", "10.0.0.3", 9001, null);
		Endpoint otherService = registry.endpoint("t", "10.0.0.4", 9001, null);

		assertThat(first.isUp()).isTrue();
		assertThat(second.isUp()).isTrue();
		assertThat(newcomer.isUp()).isFalse();
		assertThat(otherService.isUp()).isTrue();
		assertThat(registry.endpoint("s", "10.0.0.1", 9001, null)).isSameAs(first);
	}

	@Test
	void shouldLetNewcomersInAtOnceWithoutActiveChecks() {
		EndpointRegistry registry = new EndpointRegistry(1, EndpointRegistry.Ejection.OFF, false, () -> 0);
		registry.endpoint("s", "10.0.0.1", 9001, null);
		registry.listed("s");
		assertThat(registry.endpoint("s", "10.0.0.2", 9001, null).isUp()).isTrue();
	}

}
