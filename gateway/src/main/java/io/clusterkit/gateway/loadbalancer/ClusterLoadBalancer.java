package io.clusterkit.gateway.loadbalancer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.clusterkit.gateway.balancer.Balancer;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Pool;
import io.clusterkit.gateway.balancer.Weighting;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * The Spring Cloud LoadBalancer face of a {@link Balancer}: works with any
 * {@code DiscoveryClient}, maps its instances to the shared {@link Endpoint}s, asks the
 * balancer to pick, and begins the request's attempt on the pick at once
 * ({@link Attempts}), so the next pick, on any thread, already sees its in-flight count.
 * <p>
 * The pool is rebuilt only when the instance list or an instance's state changes (the
 * registry's version), and once per slow-start step while an instance ramps up; the list
 * is compared element by element, by address and metadata, since some discovery clients
 * (the simple one among them) hand out new instance objects on every call. A steady pick
 * allocates nothing but the reactive wrapper, and reads the clock only while a ramp is
 * under way.
 *
 * @author clusterkit
 */
class ClusterLoadBalancer implements ReactorServiceInstanceLoadBalancer {

	private static final Response<ServiceInstance> NO_INSTANCE = new EmptyResponse();

	private final String serviceId;

	private final ObjectProvider<ServiceInstanceListSupplier> suppliers;

	private final Balancer balancer;

	private final Weighting weighting;

	private final EndpointRegistry registry;

	private final LongSupplier nanoClock;

	private volatile Snapshot snapshot = new Snapshot(List.of(), -1, Pool.of(List.of()), 0);

	ClusterLoadBalancer(String serviceId, ObjectProvider<ServiceInstanceListSupplier> suppliers, Balancer balancer,
			Weighting weighting, EndpointRegistry registry, LongSupplier nanoClock) {
		this.serviceId = serviceId;
		this.suppliers = suppliers;
		this.balancer = balancer;
		this.weighting = weighting;
		this.registry = registry;
		this.nanoClock = nanoClock;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public Mono<Response<ServiceInstance>> choose(Request request) {
		ServiceInstanceListSupplier supplier = this.suppliers.getIfAvailable();
		if (supplier == null) {
			return Mono.just(NO_INSTANCE);
		}
		return supplier.get(request).next().map((instances) -> pick(instances, request)).defaultIfEmpty(NO_INSTANCE);
	}

	@SuppressWarnings("unchecked")
	private Response<ServiceInstance> pick(List<ServiceInstance> instances, Request<?> request) {
		Pool pool = poolFor(instances);
		Attempts attempts = (request.getContext() instanceof RequestDataContext context)
				? Attempts.from(context.getClientRequest().getAttributes()) : null;
		List<Endpoint> excluded = (attempts != null) ? attempts.excluded() : List.of();
		if (!excluded.isEmpty()) {
			Pool untried = pool.without(excluded);
			pool = untried.isEmpty() ? pool : untried;
		}
		if (pool.isEmpty()) {
			return NO_INSTANCE;
		}
		int index = this.balancer.pick(pool);
		if (attempts != null) {
			attempts.begin(pool.get(index));
		}
		return (Response<ServiceInstance>) pool.tag(index);
	}

	private Pool poolFor(List<ServiceInstance> instances) {
		Snapshot current = this.snapshot;
		long version = this.registry.version();
		if (current.version == version && !current.isRampDue(this.nanoClock) && current.matches(instances)) {
			return current.pool;
		}
		List<Endpoint> endpoints = new ArrayList<>(instances.size());
		List<Response<ServiceInstance>> responses = new ArrayList<>(instances.size());
		for (ServiceInstance instance : instances) {
			endpoints.add(this.registry.endpoint(this.serviceId, instance.getHost(), instance.getPort(),
					instance.getMetadata()));
			responses.add(new DefaultResponse(instance));
		}
		long now = this.nanoClock.getAsLong();
		Snapshot next = new Snapshot(List.copyOf(instances), version,
				Pool.of(endpoints, responses, this.weighting, now), now + this.weighting.stepNanos());
		this.snapshot = next;
		return next.pool;
	}

	/**
	 * The pool of an instance list at a registry version.
	 *
	 * @param rampStepAt when the pool's ramping weights, if any, take their next step
	 */
	private record Snapshot(List<ServiceInstance> instances, long version, Pool pool, long rampStepAt) {

		boolean isRampDue(LongSupplier nanoClock) {
			return this.pool.isRamping() && nanoClock.getAsLong() - this.rampStepAt >= 0;
		}

		boolean matches(List<ServiceInstance> candidates) {
			if (candidates.size() != this.instances.size()) {
				return false;
			}
			for (int i = 0; i < candidates.size(); i++) {
				if (!sameInstance(candidates.get(i), this.instances.get(i))) {
					return false;
				}
			}
			return true;
		}

		private static boolean sameInstance(ServiceInstance a, ServiceInstance b) {
			return a == b || (a.getPort() == b.getPort() && a.getHost().equals(b.getHost())
					&& a.getMetadata().equals(b.getMetadata()));
		}

	}

}
