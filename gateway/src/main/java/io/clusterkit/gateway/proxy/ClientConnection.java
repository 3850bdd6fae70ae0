package io.clusterkit.gateway.proxy;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.SignalType;
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
	 * Defer what ends with a request to the close of its connection when the request
	 * became a WebSocket: Reactor Netty ended the chain at the handshake, the session
	 * lives on.
	 * @param exchange the exchange
	 * @param signal how its chain ended
	 * @param end what to run once the WebSocket is over
	 * @return whether it was deferred; if not, the request is over now
	 */
	public static boolean deferToClose(ServerWebExchange exchange, SignalType signal, Runnable end) {
		Connection connection = of(exchange);
		if (connection == null || signal == SignalType.ON_ERROR || !isWebSocketUpgrade(exchange)) {
			return false;
		}
		connection.onDispose(end::run);
		return true;
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
