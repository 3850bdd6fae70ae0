package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.proxy.ClientConnection;

import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
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
 * {@link Blame} decides what each end says of the instance.
 *
 * @author clusterkit
 */
class InFlightAccountingFilter implements GlobalFilter, Ordered {

	static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	private final EndpointRegistry registry;

	InFlightAccountingFilter(EndpointRegistry registry) {
		this.registry = registry;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Attempts attempts = new Attempts(this.registry);
		exchange.getAttributes().put(Attempts.ATTRIBUTE, attempts);
		Connection client = ClientConnection.of(exchange);
		return chain.filter(exchange)
			.onErrorMap(Blame::isGatewayBusy, GatewayBusyException::new)
			.doOnError((ex) -> attempts.end(Blame.ofError(ex, client == null || client.channel().isActive())))
			.doFinally((signal) -> {
				if (signal != SignalType.ON_ERROR && !ClientConnection.deferToClose(exchange, signal,
						() -> attempts.end(Attempts.Outcome.UNKNOWN))) {
					attempts.end(Blame.ofEnd(signal, exchange.getResponse().getStatusCode()));
				}
			});
	}

}
