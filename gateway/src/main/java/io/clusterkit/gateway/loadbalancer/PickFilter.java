package io.clusterkit.gateway.loadbalancer;

import java.net.URI;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.cloud.gateway.support.NotFoundException;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Resolves an {@code lb://service} route to one of the service's instances, in place of
 * Spring Cloud Gateway's {@code ReactiveLoadBalancerClientFilter} and at its order: the
 * same request URL, scheme rule and 503 when no instance may take the request, without
 * what that filter costs per request (lifecycle bean lookups, request data built twice
 * with its cookies parsed, a reactive pick over a discovery read with two timers, the URL
 * rebuilt by {@code UriComponentsBuilder}). The pick is synchronous, from the service's
 * current pool ({@link ServicePools}), and begins the request's attempt at once, so the
 * next pick, on any thread, sees its in-flight count.
 * <p>
 * It runs again for each retry: the retry filter sits before the route's URL is resolved.
 *
 * @author clusterkit
 */
final class PickFilter implements GlobalFilter, Ordered {

	private final ServicePools pools;

	PickFilter(ServicePools pools) {
		this.pools = pools;
	}

	@Override
	public int getOrder() {
		return ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		String schemePrefix = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_SCHEME_PREFIX_ATTR);
		if (url == null || (!"lb".equals(url.getScheme()) && !"lb".equals(schemePrefix))) {
			return chain.filter(exchange);
		}
		ServerWebExchangeUtils.addOriginalRequestUrl(exchange, url);
		ServicePools.Target target = this.pools.pick(url.getHost(), Attempts.of(exchange));
		if (target == null) {
			return Mono.error(new NotFoundException("Unable to find instance for " + url.getHost()));
		}
		exchange.getAttributes()
			.put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR,
					target.uri(exchange.getRequest().getURI(), (schemePrefix != null) ? url.getScheme() : null));
		return chain.filter(exchange);
	}

}
