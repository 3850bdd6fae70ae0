package io.clusterkit.gateway.loadbalancer;

import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Counts a proxied request in flight from the balancer's pick to its very end. It wraps
 * the whole routing chain, outside {@link NettyWriteResponseFilter}, because the chain
 * below that filter completes as soon as the upstream's headers arrive, long before a
 * streamed body, an SSE stream or a WebSocket session is over. {@code doFinally} releases
 * on completion, error and cancel alike, where the stock {@code LoadBalancerLifecycle}
 * hooks miss the cancel of a client that hangs up.
 * <p>
 * A WebSocket is the exception: Reactor Netty ends the routing chain (by completion or by
 * cancel) once the handshake is done and runs the session on its own, so an upgrade
 * request is released when its connection closes, unless routing failed outright.
 *
 * @author clusterkit
 */
class InFlightAccountingFilter implements GlobalFilter, Ordered {

	static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	private final LongSupplier nanoClock;

	InFlightAccountingFilter(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		InFlightLease lease = new InFlightLease(this.nanoClock);
		exchange.getAttributes().put(InFlightLease.ATTRIBUTE, lease);
		exchange.getResponse().beforeCommit(() -> {
			lease.responseStarted();
			return Mono.empty();
		});
		Connection upgraded = webSocketConnection(exchange);
		if (upgraded == null) {
			return chain.filter(exchange).doFinally((signal) -> lease.release());
		}
		return chain.filter(exchange).doFinally((signal) -> {
			if (signal == SignalType.ON_ERROR) {
				lease.release();
			}
			else {
				upgraded.onDispose(lease::release);
			}
		});
	}

	private static @Nullable Connection webSocketConnection(ServerWebExchange exchange) {
		if (!"websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
			return null;
		}
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return (nativeRequest instanceof Connection connection) ? connection : null;
	}

}
