package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership as discovery lists it: which instances may receive requests the moment they
 * are seen (all of a service's first list, but a newcomer to a running service only once
 * active checks found it ready), and how one that leaves departs, then retires.
 */
class EndpointRegistryTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private long now = 100 * SECOND;

	private final List<String> retired = new ArrayList<>();

	private final EndpointRegistry registry = new EndpointRegistry(1, true, () -> this.now);

	{
		this.registry.addListener(new EndpointRegistry.Listener() {

			@Override
			public void retired(String serviceId, Endpoint endpoint) {
				EndpointRegistryTests.this.retired.add(serviceId + "/" + endpoint.address());
			}

		});
	}

	@Test
	void shouldStartTheFirstListUpAndHoldNewcomersDownUntilChecked() {
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2", "10.0.0.3"));
		this.registry.reconcile("t", members("10.0.0.4"));

		assertThat(endpoint("s", "10.0.0.1").isUp()).isTrue();
		assertThat(endpoint("s", "10.0.0.2").isUp()).isTrue();
		assertThat(endpoint("s", "10.0.0.3").isUp()).as("a newcomer").isFalse();
		assertThat(endpoint("t", "10.0.0.4").isUp()).as("another service's first list").isTrue();
		assertThat(this.registry.endpoint("s", "10.0.0.1", 9001, null)).isSameAs(endpoint("s", "10.0.0.1"));
	}

	@Test
	void shouldLetNewcomersInAtOnceWithoutActiveChecks() {
		EndpointRegistry unchecked = new EndpointRegistry(1, false, () -> 0);
		unchecked.reconcile("s", members("10.0.0.1"));
		unchecked.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		assertThat(unchecked.endpoint("s", "10.0.0.2", 9001, null).isUp()).isTrue();
	}

	@Test
	void shouldStopPicksAtOnceAndRetireWhenTheLastRequestEnds() {
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		Endpoint leaving = endpoint("s", "10.0.0.2");
		leaving.acquire();
		long version = this.registry.version();

		this.registry.reconcile("s", members("10.0.0.1"));
		assertThat(leaving.isDeparted()).isTrue();
		assertThat(leaving.isEligible()).isFalse();
		assertThat(this.registry.version()).as("pools are rebuilt without it").isGreaterThan(version);
		this.registry.retireDeparted(30 * SECOND);
		assertThat(this.retired).as("a request still in flight").isEmpty();

		leaving.release();
		this.registry.retireDeparted(30 * SECOND);
		assertThat(this.retired).containsExactly("s/10.0.0.2:9001");
		assertThat(this.registry.byService().get("s")).extracting(Endpoint::address).containsExactly("10.0.0.1:9001");
	}

	@Test
	void shouldRetireAfterTheGraceWhateverIsStillInFlight() {
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		endpoint("s", "10.0.0.2").acquire();
		this.registry.reconcile("s", members("10.0.0.1"));
		this.now += 29 * SECOND;
		this.registry.retireDeparted(30 * SECOND);
		assertThat(this.retired).isEmpty();
		this.now += SECOND;
		this.registry.retireDeparted(30 * SECOND);
		assertThat(this.retired).containsExactly("s/10.0.0.2:9001");
	}

	@Test
	void shouldTakeBackADepartedInstanceListedAgainAndStartFreshOnceRetired() {
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		Endpoint flapping = endpoint("s", "10.0.0.2");
		flapping.acquire();
		this.registry.reconcile("s", members("10.0.0.1"));
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		assertThat(flapping.isDeparted()).as("back before it was retired").isFalse();
		assertThat(endpoint("s", "10.0.0.2")).isSameAs(flapping);

		flapping.release();
		this.registry.reconcile("s", members("10.0.0.1"));
		this.registry.retireDeparted(30 * SECOND);
		this.registry.reconcile("s", members("10.0.0.1", "10.0.0.2"));
		Endpoint fresh = endpoint("s", "10.0.0.2");
		assertThat(fresh).isNotSameAs(flapping);
		assertThat(fresh.sent()).isZero();
		assertThat(fresh.isUp()).as("a newcomer again: DOWN until probed").isFalse();
	}

	private Endpoint endpoint(String service, String host) {
		return this.registry.byService()
			.get(service)
			.stream()
			.filter((endpoint) -> endpoint.address().equals(host + ":9001"))
			.findFirst()
			.orElseThrow();
	}

	private static List<EndpointRegistry.Member> members(String... hosts) {
		return Arrays.stream(hosts).map((host) -> new EndpointRegistry.Member(host, 9001, Map.of())).toList();
	}

}
