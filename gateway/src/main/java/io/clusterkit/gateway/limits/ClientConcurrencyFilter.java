package io.clusterkit.gateway.limits;

import java.net.InetAddress;

import io.clusterkit.gateway.forwarding.ClientAddress;
import io.clusterkit.gateway.proxy.ClientConnection;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Caps what one client (behind trusted proxies, the client they name) holds open at once:
 * past the cap a request is answered 429 problem+json with {@code Retry-After}, before
 * routing. A request counts until its end; a WebSocket until its connection closes, so
 * one client cannot hold thousands of idle sockets.
 *
 * @author clusterkit
 */
final class ClientConcurrencyFilter implements WebFilter, Ordered {

	private final ClientConcurrency concurrency;

	private final ClientAddress clientAddress;

	private final int max;

	ClientConcurrencyFilter(ClientConcurrency concurrency, ClientAddress clientAddress, int max) {
		this.concurrency = concurrency;
		this.clientAddress = clientAddress;
		this.max = max;
	}

	@Override
	public int getOrder() {
		// after the rate limit: a request it refuses holds nothing
		return Ordered.HIGHEST_PRECEDENCE + 3;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		InetAddress client = this.clientAddress.of(exchange);
		if (client == null) {
			return chain.filter(exchange);
		}
		if (!this.concurrency.tryAcquire(client)) {
			return Mono
				.error(new Refusal(HttpStatus.TOO_MANY_REQUESTS,
						"This client address holds " + this.max
								+ " requests and WebSockets open already, the most it may; retry once one has ended.",
						1));
		}
		Runnable release = () -> this.concurrency.release(client);
		return chain.filter(exchange).doFinally((signal) -> {
			if (!ClientConnection.deferToClose(exchange, signal, release)) {
				release.run();
			}
		});
	}

}
