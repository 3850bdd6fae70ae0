package io.clusterkit.gateway.health;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.HealthProperties;
import io.clusterkit.gateway.discovery.MembershipListener;
import io.netty.channel.ChannelOption;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.context.SmartLifecycle;

/**
 * Probes the readiness endpoint of every discovered instance and marks it UP or DOWN in
 * the shared registry, so every balancer and route stops sending to it at once. Each
 * instance has its own probe loop, started at a random phase so probes do not align, and
 * never overlapping itself (a probe still running when the next is due makes that one
 * skip). All of it is non-blocking on Reactor Netty's client. It probes what the
 * membership feed lists: instances that appear are probed, those that leave no longer.
 *
 * @author clusterkit
 */
public class ActiveHealthChecker implements SmartLifecycle, MembershipListener {

	/**
	 * Discovery metadata naming the instance's management port, when not its own port.
	 */
	static final String MANAGEMENT_PORT_METADATA_KEY = "management.port";

	private static final Log logger = LogFactory.getLog(ActiveHealthChecker.class);

	private final EndpointRegistry registry;

	private final PassiveHealth passiveHealth;

	private final HealthProperties properties;

	private final Map<String, Probe> probes = new ConcurrentHashMap<>();

	private ConnectionProvider connections;

	private volatile HttpClient http;

	/** The upstream TLS of proxied requests, for instances listed as secure. */
	private final UnaryOperator<HttpClient> upstreamTls;

	ActiveHealthChecker(EndpointRegistry registry, PassiveHealth passiveHealth, HealthProperties properties,
			UnaryOperator<HttpClient> upstreamTls) {
		this.registry = registry;
		this.passiveHealth = passiveHealth;
		this.properties = properties;
		this.upstreamTls = upstreamTls;
	}

	@Override
	public void start() {
		this.connections = ConnectionProvider.builder("health-probes").maxIdleTime(Duration.ofSeconds(20)).build();
		this.http = this.upstreamTls.apply(HttpClient.create(this.connections));
	}

	@Override
	public void listed(List<ServiceInstance> instances) {
		if (this.http == null) {
			return;
		}
		Set<String> seen = new HashSet<>();
		for (ServiceInstance instance : instances) {
			String key = instance.getServiceId() + "/" + instance.getHost() + ":" + instance.getPort();
			seen.add(key);
			this.probes.computeIfAbsent(key, (k) -> startProbe(instance));
		}
		this.probes.entrySet().removeIf((entry) -> {
			if (seen.contains(entry.getKey())) {
				return false;
			}
			entry.getValue().loop().dispose();
			return true;
		});
	}

	private Probe startProbe(ServiceInstance instance) {
		Endpoint endpoint = this.registry.endpoint(instance.getServiceId(), instance.getHost(), instance.getPort(),
				instance.getMetadata());
		HealthProperties.Check check = this.properties.checkFor(instance.getServiceId());
		RiseFall state = new RiseFall(check.rise(), check.fall(), endpoint.isUp());
		URI target = URI.create((instance.isSecure() ? "https" : "http") + "://" + instance.getHost() + ":"
				+ managementPort(instance) + this.properties.path());
		Duration phase = Duration.ofMillis(ThreadLocalRandom.current().nextLong(check.interval().toMillis()));
		HttpClient client = this.http.responseTimeout(check.timeout())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) check.timeout().toMillis());
		// an operator's re-check joins the scheduled ticks, so probes of one
		// instance stay one after another, as RiseFall needs
		Sinks.Many<Long> recheck = Sinks.many().multicast().directBestEffort();
		Disposable loop = Flux.merge(Flux.interval(phase, check.interval()), recheck.asFlux())
			.onBackpressureDrop()
			.concatMap((tick) -> probe(client, target, check.timeout()))
			.subscribe((result) -> {
				if (result.getT1()) {
					this.passiveHealth.readmitIfDue(endpoint);
				}
				if (state.record(result.getT1(), result.getT2())) {
					this.registry.setUp(endpoint, state.isUp());
					logger.info(instance.getServiceId() + " " + endpoint.address() + " is now "
							+ (state.isUp() ? "UP" : "DOWN") + " (" + result.getT2() + ")");
				}
			});
		return new Probe(state, loop, recheck);
	}

	private static Mono<Tuple2<Boolean, String>> probe(HttpClient client, URI target, Duration timeout) {
		return client.get()
			.uri(target)
			.responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
			.timeout(timeout)
			.map((status) -> Tuples.of(status >= 200 && status < 300, "readiness " + status))
			.onErrorResume((ex) -> Mono.just(Tuples.of(false, describe(ex))));
	}

	private static String describe(Throwable ex) {
		String message = ex.getMessage();
		return ex.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	private static int managementPort(ServiceInstance instance) {
		String port = instance.getMetadata().get(MANAGEMENT_PORT_METADATA_KEY);
		if (port != null) {
			try {
				return Integer.parseInt(port.strip());
			}
			catch (NumberFormatException ex) {
				// fall through: probe the instance's own port
			}
		}
		return instance.getPort();
	}

	/**
	 * The last probe of an instance, for operators.
	 * @param serviceId the service
	 * @param endpoint the instance
	 * @return what its last probe met and when, or null when it is not probed yet
	 */
	public RiseFall.@Nullable Result lastProbe(String serviceId, Endpoint endpoint) {
		Probe probe = this.probes.get(serviceId + "/" + endpoint.address());
		return (probe != null) ? probe.state().lastResult() : null;
	}

	@Override
	public void stop() {
		this.http = null;
		this.probes.values().forEach((probe) -> probe.loop().dispose());
		this.probes.clear();
		this.connections.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.http != null;
	}

	@Override
	public int getPhase() {
		// started before the membership feed lists anything, stopped after it
		return SmartLifecycle.DEFAULT_PHASE - 2816;
	}

	/**
	 * Probe an instance now, besides its schedule: an operator's forced re-check.
	 * @param serviceId the service
	 * @param endpoint the instance
	 * @return whether the instance is probed at all
	 */
	public boolean recheck(String serviceId, Endpoint endpoint) {
		Probe probe = this.probes.get(serviceId + "/" + endpoint.address());
		if (probe == null) {
			return false;
		}
		probe.recheck().tryEmitNext(0L);
		return true;
	}

	private record Probe(RiseFall state, Disposable loop, Sinks.Many<Long> recheck) {
	}

}
