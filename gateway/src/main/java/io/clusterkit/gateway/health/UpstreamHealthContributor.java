package io.clusterkit.gateway.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health/upstreams/<service>}: a service is UP while at least one of its
 * instances is UP and not ejected; details count instances by state and give each one's
 * state and last probe. Deliberately outside the readiness group: a gateway whose workers
 * are all down keeps answering 503 problem+json at once, rather than vanishing from the
 * load balancer in front of it.
 *
 * @author clusterkit
 */
class UpstreamHealthContributor implements CompositeHealthContributor {

	private final EndpointRegistry registry;

	private final ActiveHealthChecker checker;

	UpstreamHealthContributor(EndpointRegistry registry, ActiveHealthChecker checker) {
		this.registry = registry;
		this.checker = checker;
	}

	@Override
	public HealthContributor getContributor(String name) {
		List<Endpoint> endpoints = this.registry.byService().get(name);
		return (endpoints != null) ? indicator(name) : null;
	}

	@Override
	public Stream<Entry> stream() {
		return this.registry.byService().keySet().stream().map((service) -> new Entry(service, indicator(service)));
	}

	private HealthIndicator indicator(String service) {
		return () -> {
			List<Endpoint> endpoints = this.registry.byService().getOrDefault(service, List.of());
			long up = endpoints.stream()
				.filter((endpoint) -> endpoint.isUp() && !endpoint.isEjected() && !endpoint.isDeparted())
				.count();
			long ejected = endpoints.stream().filter(Endpoint::isEjected).count();
			Map<String, Object> instances = new LinkedHashMap<>();
			for (Endpoint endpoint : endpoints) {
				RiseFall.Result last = this.checker.lastProbe(service, endpoint);
				instances.put(endpoint.address(),
						state(endpoint) + ((last != null) ? " (last probe: " + last.detail() + ")" : ""));
			}
			Health.Builder health = (up > 0) ? Health.up() : Health.down();
			return health.withDetail("up", up)
				.withDetail("down", endpoints.stream().filter((endpoint) -> !endpoint.isUp()).count())
				.withDetail("ejected", ejected)
				.withDetail("instances", instances)
				.build();
		};
	}

	private static String state(Endpoint endpoint) {
		if (endpoint.isDeparted()) {
			return "DEPARTED: left discovery";
		}
		if (!endpoint.isUp()) {
			return "DOWN";
		}
		return endpoint.isEjected() ? "EJECTED: " + endpoint.ejectionReason() : "UP";
	}

}
