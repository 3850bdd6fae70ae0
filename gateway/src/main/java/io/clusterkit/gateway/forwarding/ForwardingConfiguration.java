package io.clusterkit.gateway.forwarding;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import io.clusterkit.gateway.config.ForwardingProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.ProxyProtocolSupportType;

import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Trusted proxies, the client address they lead to, and the headers that carry it
 * upstream; and the PROXY protocol, which trusted layer-4 balancers use to name the
 * client instead of headers.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class ForwardingConfiguration {

	private static final Log logger = LogFactory.getLog(ForwardingConfiguration.class);

	private static final List<String> STOCK_HEADER_FILTERS = List.of("removeForwardedHeadersFilter",
			"removeXForwardedHeadersFilter", "removeHopByHopHeadersFilter",
			"transferEncodingNormalizationHeadersFilter");

	@Bean
	TrustedProxies trustedProxies(ForwardingProperties properties) {
		return TrustedProxies.parse(properties.trustedProxies(), ForwardingProperties.PREFIX + ".trusted-proxies");
	}

	/**
	 * PROXY protocol headers read from trusted proxies (Reactor Netty's detector, which
	 * makes the address a header names the connection's remote address), refused from
	 * anyone else. This context's server only: the management port takes none.
	 */
	@Bean
	@ConditionalOnBooleanProperty(ForwardingProperties.PREFIX + ".proxy-protocol")
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> proxyProtocol(TrustedProxies trustedProxies) {
		if (trustedProxies.isEmpty()) {
			throw new IllegalStateException(ForwardingProperties.PREFIX + ".proxy-protocol needs "
					+ ForwardingProperties.PREFIX + ".trusted-proxies: PROXY headers are read from them only");
		}
		return (factory) -> factory.addServerCustomizers((server) -> server.proxyProtocol(ProxyProtocolSupportType.AUTO)
			.doOnChannelInit((observer, channel, address) -> {
				if (!(channel.remoteAddress() instanceof InetSocketAddress peer
						&& trustedProxies.contains(peer.getAddress()))) {
					channel.pipeline()
						.replace(NettyPipeline.ProxyProtocolDecoder, NettyPipeline.ProxyProtocolDecoder,
								new ProxyHeaderRefusal());
				}
			}));
	}

	@Bean
	ClientAddress clientAddress(TrustedProxies trustedProxies) {
		return new ClientAddress(trustedProxies);
	}

	/**
	 * The client address as the key of Spring Cloud Gateway's own
	 * {@code RequestRateLimiter} filter, for the Redis-backed limit shared by several
	 * gateways (docs/security.md): {@code key-resolver: "#{@clientAddressKeyResolver}"}.
	 */
	@Bean
	KeyResolver clientAddressKeyResolver(ClientAddress clientAddress) {
		return (exchange) -> Mono.justOrEmpty(clientAddress.of(exchange)).map(InetAddress::getHostAddress);
	}

	@Bean
	ProxyHeaders proxyHeaders(TrustedProxies trustedProxies, ClientAddress clientAddress) {
		return new ProxyHeaders(trustedProxies, clientAddress);
	}

	/**
	 * Takes out the Spring Cloud Gateway header filters that {@link ProxyHeaders} does in
	 * the same pass: each of them copied every header of every request once more. (Its
	 * two gRPC filters, another copy each, go with {@code server.http2.enabled=false} in
	 * application.yml: the public port speaks HTTP/1.1.) A name not found means a Spring
	 * Cloud Gateway release renamed it: the filter then runs beside ours, which is
	 * slower, not wrong.
	 */
	@Bean
	static BeanDefinitionRegistryPostProcessor withoutStockHeaderFilters() {
		return (registry) -> {
			for (String name : STOCK_HEADER_FILTERS) {
				if (registry.containsBeanDefinition(name)) {
					registry.removeBeanDefinition(name);
				}
				else {
					logger.warn("Spring Cloud Gateway's " + name + " not found: if renamed, it now runs beside "
							+ ProxyHeaders.class.getSimpleName());
				}
			}
		};
	}

}
