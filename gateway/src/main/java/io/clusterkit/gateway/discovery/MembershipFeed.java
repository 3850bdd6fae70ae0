package io.clusterkit.gateway.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.MembershipProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.SmartLifecycle;

/**
 * The one reader of discovery (static list, DNS, any {@code DiscoveryClient}): every
 * refresh interval it makes each service's instances the registry's membership, retires
 * the departed instances whose requests have ended (or whose grace ran out), and tells
 * the listeners what is listed. A service that discovery no longer names at all loses
 * every instance the same way. A failed read keeps the membership as it was.
 *
 * @author clusterkit
 */
final class MembershipFeed implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(MembershipFeed.class);

	private static final Duration FIRST_READ_TIMEOUT = Duration.ofSeconds(10);

	private final ReactiveDiscoveryClient discovery;

	private final EndpointRegistry registry;

	private final List<MembershipListener> listeners;

	private final MembershipProperties properties;

	private Disposable loop;

	MembershipFeed(ReactiveDiscoveryClient discovery, EndpointRegistry registry, List<MembershipListener> listeners,
			MembershipProperties properties) {
		this.discovery = discovery;
		this.registry = registry;
		this.listeners = listeners;
		this.properties = properties;
	}

	@Override
	public void start() {
		// read once before the server opens: a pick finds only what discovery listed
		try {
			List<ServiceInstance> first = read().block(FIRST_READ_TIMEOUT);
			if (first != null) {
				apply(first);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Discovery did not answer within " + FIRST_READ_TIMEOUT.toSeconds()
					+ " s at start-up; the pool fills at its next read: " + ex);
		}
		Duration interval = this.properties.refreshInterval();
		this.loop = Flux.interval(interval, interval)
			.onBackpressureDrop()
			.concatMap((tick) -> read())
			.subscribe(this::apply);
	}

	private Mono<List<ServiceInstance>> read() {
		return this.discovery.getServices().flatMap(this.discovery::getInstances).collectList().onErrorResume((ex) -> {
			logger.warn("Discovery failed; keeping the membership as it was: " + ex);
			return Mono.empty();
		});
	}

	void apply(List<ServiceInstance> instances) {
		Map<String, List<EndpointRegistry.Member>> byService = instances.stream()
			.collect(Collectors.groupingBy(ServiceInstance::getServiceId,
					Collectors.mapping((instance) -> new EndpointRegistry.Member(instance.getHost(), instance.getPort(),
							instance.getMetadata()), Collectors.toList())));
		for (String gone : this.registry.services()) {
			byService.putIfAbsent(gone, List.of());
		}
		byService.forEach(this.registry::reconcile);
		this.registry.retireDeparted(this.properties.departureGrace().toNanos());
		this.listeners.forEach((listener) -> listener.listed(instances));
	}

	@Override
	public void stop() {
		this.loop.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.loop != null && !this.loop.isDisposed();
	}

	@Override
	public int getPhase() {
		// after the DNS client has resolved once, before the web server (- 2048) opens
		return SmartLifecycle.DEFAULT_PHASE - 2560;
	}

}
