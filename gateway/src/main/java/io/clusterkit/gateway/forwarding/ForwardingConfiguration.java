package io.clusterkit.gateway.forwarding;

import java.net.InetAddress;

import io.clusterkit.gateway.config.ForwardingProperties;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Trusted proxies, the client address they lead to, and the headers that carry it
 * upstream.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class ForwardingConfiguration {

	@Bean
	TrustedProxies trustedProxies(ForwardingProperties properties) {
		return TrustedProxies.parse(properties.trustedProxies(), ForwardingProperties.PREFIX + ".trusted-proxies");
	}

	@Bean
	ClientAddress clientAddress(TrustedProxies trustedProxies) {
		return new ClientAddress(trustedProxies);
	}

	/**
	 * The client address as the key of Spring Cloud Gateway's own
	 * {@code RequestRateLimiter} filter, for the Redis-backed limit shared by several
	 * gateways (README, "Security"): {@code key-resolver:
	 * "#{@clientAddressKeyResolver}"}.
	 */
	@Bean
	KeyResolver clientAddressKeyResolver(ClientAddress clientAddress) {
		return (exchange) -> Mono.justOrEmpty(clientAddress.of(exchange)).map(InetAddress::getHostAddress);
	}

	@Bean
	ForwardingHeadersFilter forwardingHeadersFilter(TrustedProxies trustedProxies) {
		return new ForwardingHeadersFilter(trustedProxies);
	}

}
