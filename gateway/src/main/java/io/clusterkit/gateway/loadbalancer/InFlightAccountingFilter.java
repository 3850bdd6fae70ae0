package io.clusterkit.gateway.loadbalancer;

import io.clusterkit.gateway.balancer.EndpointRegistry;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.ErrorResponse;
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
		InFlightLease lease = new InFlightLease(this.registry);
		exchange.getAttributes().put(InFlightLease.ATTRIBUTE, lease);
		exchange.getResponse().beforeCommit(() -> {
			lease.responseStarted();
			return Mono.empty();
		});
		Connection client = clientConnection(exchange);
		boolean upgrade = "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
		return chain.filter(exchange).doOnError(InFlightAccountingFilter::isClientFault, (ex) -> {
			// released here, before doFinally, so the failure is not the instance's
			lease.release(InFlightLease.Outcome.UNKNOWN);
		}).doFinally((signal) -> {
			if (upgrade && client != null && signal != SignalType.ON_ERROR) {
				client.onDispose(() -> lease.release(InFlightLease.Outcome.UNKNOWN));
			}
			else {
				lease.release(outcome(signal, exchange, client));
			}
		});
	}

	/**
	 * What the request's last attempt says of its instance: an error below this filter is
	 * the upstream's (gateway errors are rendered outside the chain), and so is a 5xx
	 * status once an instance was picked, unless the client was gone by then: writing the
	 * answer to a client that hung up (every load generator at the end of its run, every
	 * browser leaving a page) fails too, and must not eject a healthy instance. A client
	 * that hung up says nothing.
	 */
	private static InFlightLease.Outcome outcome(SignalType signal, ServerWebExchange exchange,
			@Nullable Connection client) {
		if (signal == SignalType.CANCEL) {
			return InFlightLease.Outcome.UNKNOWN;
		}
		if (signal == SignalType.ON_ERROR) {
			return (client != null && !client.channel().isActive()) ? InFlightLease.Outcome.UNKNOWN
					: InFlightLease.Outcome.FAILURE;
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return (status != null && status.is5xxServerError()) ? InFlightLease.Outcome.FAILURE
				: InFlightLease.Outcome.SUCCESS;
	}

	/**
	 * A 4xx raised on the way, such as a chunked body growing past its limit while it
	 * streams to the instance: the client's doing, whatever it did to the upstream
	 * connection.
	 */
	private static boolean isClientFault(Throwable ex) {
		return ex instanceof ErrorResponse response && response.getStatusCode().is4xxClientError();
	}

	private static @Nullable Connection clientConnection(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return (nativeRequest instanceof Connection connection) ? connection : null;
	}

}
