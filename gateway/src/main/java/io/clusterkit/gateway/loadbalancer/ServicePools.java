package io.clusterkit.gateway.loadbalancer;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.clusterkit.gateway.balancer.Balancer;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Pool;
import io.clusterkit.gateway.balancer.Weighting;
import io.clusterkit.gateway.discovery.MembershipListener;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Every balanced service's pool, kept from what discovery lists
 * ({@link MembershipListener}, once per refresh), so that a pick is a plain method call
 * on the request's thread: no discovery read, no reactive wrapper, no bean lookup per
 * request, which is what Spring Cloud LoadBalancer's {@code choose} cost. Each instance's
 * URL prefix is built once, when it is listed.
 * <p>
 * A service's pool is rebuilt only when its listing changes, when the registry's version
 * does (an instance's state or weight changed), and once per slow-start step while an
 * instance ramps up. A steady pick allocates nothing and reads the clock only while a
 * ramp is under way.
 *
 * @author clusterkit
 */
final class ServicePools implements MembershipListener {

	private static final Snapshot EMPTY = new Snapshot(List.of(), -1, Pool.of(List.of()), 0);

	private final Map<String, Service> services = new ConcurrentHashMap<>();

	private final EndpointRegistry registry;

	private final Function<String, Service> serviceFactory;

	private final LongSupplier nanoClock;

	/**
	 * The pools of a registry.
	 * @param registry the directory of instances
	 * @param balancers each service's balancer and weighting
	 * @param nanoClock the clock of slow-start ramps
	 */
	ServicePools(EndpointRegistry registry, Function<String, Balancing> balancers, LongSupplier nanoClock) {
		this.registry = registry;
		this.nanoClock = nanoClock;
		this.serviceFactory = (serviceId) -> new Service(balancers.apply(serviceId));
	}

	@Override
	public void listed(List<ServiceInstance> instances) {
		Map<String, List<Target>> byService = new HashMap<>();
		for (ServiceInstance instance : instances) {
			Endpoint endpoint = this.registry.endpoint(instance.getServiceId(), instance.getHost(), instance.getPort(),
					instance.getMetadata());
			byService.computeIfAbsent(instance.getServiceId(), (id) -> new ArrayList<>())
				.add(new Target(endpoint, prefix(instance)));
		}
		this.services.forEach((serviceId, service) -> byService.putIfAbsent(serviceId, List.of()));
		byService.forEach(
				(serviceId, targets) -> this.services.computeIfAbsent(serviceId, this.serviceFactory).list(targets));
	}

	/**
	 * Pick an instance of a service for a request and begin its attempt there; a retry
	 * goes to an instance the request has not tried, while there is one.
	 * @param serviceId the service
	 * @param attempts the request's attempts, when it has any
	 * @return the instance, or null when none may take the request
	 */
	@Nullable Target pick(String serviceId, @Nullable Attempts attempts) {
		Service service = this.services.get(serviceId);
		if (service == null) {
			return null;
		}
		Pool pool = service.pool();
		List<Endpoint> excluded = (attempts != null) ? attempts.excluded() : List.of();
		if (!excluded.isEmpty()) {
			Pool untried = pool.without(excluded);
			pool = untried.isEmpty() ? pool : untried;
		}
		if (pool.isEmpty()) {
			return null;
		}
		int index = service.balancing.balancer().pick(pool);
		if (attempts != null) {
			attempts.begin(pool.get(index));
		}
		return (Target) pool.tag(index);
	}

	private static String prefix(ServiceInstance instance) {
		String host = instance.getHost();
		boolean ipv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
		return (instance.isSecure() ? "https" : "http") + "://" + (ipv6 ? "[" + host + "]" : host) + ":"
				+ instance.getPort();
	}

	/**
	 * How a service is balanced.
	 *
	 * @param balancer its algorithm, with its own state
	 * @param weighting how its weights are made
	 */
	record Balancing(Balancer balancer, Weighting weighting) {
	}

	/**
	 * An instance a request may be sent to.
	 *
	 * @param endpoint its state in the registry
	 * @param prefix its scheme and authority, {@code http://host:port}
	 */
	record Target(Endpoint endpoint, String prefix) {

		/**
		 * The URL of a request at this instance.
		 * @param request the request's URL at the gateway
		 * @param scheme a scheme the route names ({@code lb:ws://}), or null for the
		 * instance's own
		 * @return the same path and query, here
		 */
		URI uri(URI request, @Nullable String scheme) {
			String path = request.getRawPath();
			String query = request.getRawQuery();
			String base = (scheme != null) ? scheme + this.prefix.substring(this.prefix.indexOf(':')) : this.prefix;
			return URI.create((query != null) ? base + path + '?' + query : base + path);
		}

	}

	private final class Service {

		private final Balancing balancing;

		private volatile List<Target> members = List.of();

		private volatile Snapshot snapshot = EMPTY;

		Service(Balancing balancing) {
			this.balancing = balancing;
		}

		void list(List<Target> targets) {
			if (!targets.equals(this.members)) {
				this.members = List.copyOf(targets);
			}
		}

		Pool pool() {
			Snapshot current = this.snapshot;
			List<Target> members = this.members;
			long version = ServicePools.this.registry.version();
			if (current.members == members && current.version == version
					&& !current.isRampDue(ServicePools.this.nanoClock)) {
				return current.pool;
			}
			List<Endpoint> endpoints = new ArrayList<>(members.size());
			for (Target target : members) {
				endpoints.add(target.endpoint());
			}
			long now = ServicePools.this.nanoClock.getAsLong();
			Weighting weighting = this.balancing.weighting();
			Snapshot next = new Snapshot(members, version, Pool.of(endpoints, members, weighting, now),
					now + weighting.stepNanos());
			this.snapshot = next;
			return next.pool;
		}

	}

	/**
	 * The pool of a listing at a registry version.
	 *
	 * @param rampStepAt when the pool's ramping weights, if any, take their next step
	 */
	private record Snapshot(List<Target> members, long version, Pool pool, long rampStepAt) {

		boolean isRampDue(LongSupplier nanoClock) {
			return this.pool.isRamping() && nanoClock.getAsLong() - this.rampStepAt >= 0;
		}

	}

}
