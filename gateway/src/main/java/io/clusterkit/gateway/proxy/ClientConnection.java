package io.clusterkit.gateway.proxy;

import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The client's connection behind an exchange. What counts a request until its end needs
 * it for WebSockets: Reactor Netty ends the web chain once the handshake is done and runs
 * the session on its own, so an upgraded request ends when its connection closes.
 *
 * @author clusterkit
 */
public final class ClientConnection {

	private ClientConnection() {
	}

	/**
	 * The connection an exchange's request came on.
	 * @param exchange the exchange
	 * @return its Reactor Netty connection, {@code null} on another server
	 */
	public static @Nullable Connection of(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return (nativeRequest instanceof Connection connection) ? connection : null;
	}

	/**
	 * Whether a request asks to become a WebSocket.
	 * @param exchange the exchange
	 * @return true for an upgrade to {@code websocket}
	 */
	public static boolean isWebSocketUpgrade(ServerWebExchange exchange) {
		return "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
	}

}
