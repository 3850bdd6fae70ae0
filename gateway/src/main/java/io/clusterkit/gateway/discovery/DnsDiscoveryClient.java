package io.clusterkit.gateway.discovery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.config.DnsDiscoveryProperties;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.SmartLifecycle;

/**
 * Finds a service's instances by resolving its DNS name to all its addresses: a compose
 * service name ({@code docker compose up --scale worker=5}) or a Kubernetes headless
 * Service. Netty's asynchronous resolver, not {@code InetAddress}: no thread blocks, and
 * no JVM cache holds an address after the name moved. Names are resolved in the
 * background every refresh interval, so a pick never waits for DNS; the list is sorted,
 * so the balancer's pool is rebuilt only when the set of addresses changes, not when a
 * server rotates its answers.
 * <p>
 * A name that does not exist (NXDOMAIN: the service scaled to zero) empties the list; a
 * resolution that fails otherwise (timeout, server down) keeps the last known one, as a
 * gateway must not drop a healthy pool because its DNS server hiccupped.
 *
 * @author clusterkit
 */
class DnsDiscoveryClient implements ReactiveDiscoveryClient, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DnsDiscoveryClient.class);

	private static final Comparator<InetAddress> BY_ADDRESS = Comparator
		.comparing((InetAddress address) -> address.getAddress().length)
		.thenComparing(InetAddress::getHostAddress);

	private final DnsDiscoveryProperties properties;

	private final Map<String, List<ServiceInstance>> instances = new ConcurrentHashMap<>();

	private final Map<String, String> failures = new ConcurrentHashMap<>();

	private EventLoopGroup loop;

	private DnsNameResolver resolver;

	private Disposable refresh;

	DnsDiscoveryClient(DnsDiscoveryProperties properties) {
		this.properties = properties;
	}

	@Override
	public String description() {
		return "DNS discovery of " + this.properties.services().keySet();
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		return Flux.fromIterable(this.instances.getOrDefault(serviceId, List.of()));
	}

	@Override
	public Flux<String> getServices() {
		return Flux.fromIterable(this.properties.services().keySet());
	}

	@Override
	public void start() {
		this.loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		DnsNameResolverBuilder builder = new DnsNameResolverBuilder(this.loop.next())
			.datagramChannelType(NioDatagramChannel.class)
			.resolveCache(NoopDnsCache.INSTANCE)
			.queryTimeoutMillis(this.properties.queryTimeout().toMillis());
		String nameServer = this.properties.nameServer();
		if (nameServer != null) {
			int colon = nameServer.lastIndexOf(':');
			builder.nameServerProvider(new SingletonDnsServerAddressStreamProvider(new InetSocketAddress(
					nameServer.substring(0, colon), Integer.parseInt(nameServer.substring(colon + 1)))));
		}
		else {
			builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
		}
		this.resolver = builder.build();
		Duration interval = this.properties.refreshInterval();
		// the first round before start() returns: requests arriving right after start-up
		// find the pool already filled
		refreshAll().block(this.properties.queryTimeout().multipliedBy(2));
		this.refresh = Flux.interval(interval, interval)
			.onBackpressureDrop()
			.concatMap((tick) -> refreshAll())
			.subscribe();
	}

	private Mono<Void> refreshAll() {
		return Flux.fromIterable(this.properties.services().entrySet())
			.flatMap((entry) -> resolve(entry.getKey(), entry.getValue()))
			.then();
	}

	private Mono<Void> resolve(String serviceId, DnsDiscoveryProperties.Service service) {
		return Mono.<List<InetAddress>>create((sink) -> this.resolver.resolveAll(service.host()).addListener((done) -> {
			if (done.isSuccess()) {
				@SuppressWarnings("unchecked")
				List<InetAddress> addresses = (List<InetAddress>) done.getNow();
				sink.success(addresses);
			}
			else {
				sink.error(done.cause());
			}
		})).map((addresses) -> toInstances(serviceId, service, addresses)).onErrorResume((ex) -> {
			if (isGone(ex)) {
				return Mono.just(List.of());
			}
			String problem = ex.toString();
			if (!problem.equals(this.failures.put(serviceId, problem))) {
				logger.warn("Resolving " + service.host() + " for " + serviceId + " failed, keeping "
						+ this.instances.getOrDefault(serviceId, List.of()).size() + " known instances: " + problem);
			}
			return Mono.empty();
		}).doOnNext((found) -> update(serviceId, service, found)).then();
	}

	/**
	 * Whether a failed resolution says the name has no address (NXDOMAIN, or no record),
	 * rather than that the server could not answer (timeout, SERVFAIL, I/O error).
	 */
	private static boolean isGone(Throwable ex) {
		if (!(ex instanceof UnknownHostException)) {
			return false;
		}
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (!(cause instanceof DnsErrorCauseException error) || error.getCode() != DnsResponseCode.NXDOMAIN) {
				return false;
			}
		}
		return true;
	}

	private void update(String serviceId, DnsDiscoveryProperties.Service service, List<ServiceInstance> found) {
		this.failures.remove(serviceId);
		List<ServiceInstance> previous = this.instances.put(serviceId, found);
		if (previous == null || !addresses(previous).equals(addresses(found))) {
			logger.info(service.host() + " resolves to " + addresses(found) + " for " + serviceId);
		}
	}

	private static List<ServiceInstance> toInstances(String serviceId, DnsDiscoveryProperties.Service service,
			List<InetAddress> addresses) {
		Map<String, String> metadata = (service.managementPort() != null)
				? Map.of("management.port", String.valueOf(service.managementPort())) : Map.of();
		return addresses.stream().distinct().sorted(BY_ADDRESS).map((address) -> {
			String host = address.getHostAddress();
			return (ServiceInstance) new DefaultServiceInstance(serviceId + "-" + host + ":" + service.port(),
					serviceId, host, service.port(), service.secure(), metadata);
		}).toList();
	}

	private static List<String> addresses(List<ServiceInstance> instances) {
		return instances.stream().map(ServiceInstance::getHost).toList();
	}

	@Override
	public void stop() {
		this.refresh.dispose();
		this.resolver.close();
		this.loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	@Override
	public boolean isRunning() {
		return this.refresh != null && !this.refresh.isDisposed();
	}

	@Override
	public int getPhase() {
		// before the health checker, the membership feed and the web server
		return SmartLifecycle.DEFAULT_PHASE - 3072;
	}

}
