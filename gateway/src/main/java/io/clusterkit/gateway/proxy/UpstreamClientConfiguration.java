package io.clusterkit.gateway.proxy;

import java.util.List;
import java.util.function.Supplier;

import io.clusterkit.gateway.config.LimitsProperties;
import io.clusterkit.gateway.config.ProxyProperties;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * The gateway's clients to its instances. Plain requests share Spring Cloud Gateway's
 * pooled client, whose response timeout starts once the whole request was sent (Reactor
 * Netty's own {@code responseTimeout}), so a slow upload is never the instance's silence.
 * WebSockets get a client of their own without a pool: a long-lived upgraded connection
 * never takes one of the pooled connections plain requests need, and each one is closed
 * with 1001 after the WebSocket idle timeout.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class UpstreamClientConfiguration {

	private static final String RESPONSE_TIMEOUT_KEY = "response-timeout";

	private static final String CONNECT_TIMEOUT_KEY = "connect-timeout";

	/**
	 * The timeouts, set once on the client: Spring Cloud Gateway's own are applied to a
	 * copy of the client's configuration per request.
	 */
	@Bean
	HttpClientCustomizer timeoutsSetOnce(ProxyProperties proxy, HttpClientProperties httpClient,
			GatewayProperties gateway) {
		refuseWholeExchangeTimeouts(httpClient, gateway);
		refusePerRequestConnectTimeout(httpClient, gateway);
		return (client) -> client.responseTimeout(proxy.responseTimeout())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) proxy.connectTimeout().toMillis());
	}

	/**
	 * The WebSocket client Spring Cloud Gateway's {@code WebsocketRoutingFilter} uses,
	 * instead of its own, which shares the plain requests' pool.
	 */
	@Bean
	ReactorNettyWebSocketClient unpooledWebSocketClient(HttpClientProperties properties, LimitsProperties limits,
			ProxyProperties proxy) {
		long idleNanos = limits.websocketIdleTimeout().toNanos();
		HttpClient client = HttpClient.newConnection()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) proxy.connectTimeout().toMillis())
			.doOnConnected((connection) -> connection.addHandlerLast(WebSocketIdleTimeout.NAME,
					new WebSocketIdleTimeout(idleNanos)));
		HttpClientProperties.Websocket websocket = properties.getWebsocket();
		Supplier<WebsocketClientSpec.Builder> spec = () -> {
			WebsocketClientSpec.Builder builder = WebsocketClientSpec.builder().handlePing(websocket.isProxyPing());
			if (websocket.getMaxFramePayloadLength() != null) {
				builder.maxFramePayloadLength(websocket.getMaxFramePayloadLength());
			}
			return builder;
		};
		return new ReactorNettyWebSocketClient(client, spec);
	}

	@Bean
	UpstreamRoutingFilter upstreamRoutingFilter(ObjectProvider<HttpClient> gatewayHttpClient,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
		return new UpstreamRoutingFilter(gatewayHttpClient, headersFilters);
	}

	/**
	 * Takes out Spring Cloud Gateway's pooled WebSocket client and its routing filter:
	 * ours replace them. Were the filter renamed, both would run at the same order, and
	 * whichever ran first would route: slower, not wrong.
	 */
	@Bean
	static BeanDefinitionRegistryPostProcessor withoutStockUpstreamClients() {
		return (registry) -> {
			for (String name : List.of("reactorNettyWebSocketClient", "routingFilter")) {
				if (registry.containsBeanDefinition(name)) {
					registry.removeBeanDefinition(name);
				}
			}
		};
	}

	private static void refusePerRequestConnectTimeout(HttpClientProperties httpClient, GatewayProperties gateway) {
		if (httpClient.getConnectTimeout() != null) {
			throw new IllegalStateException("spring.cloud.gateway.server.webflux.httpclient." + CONNECT_TIMEOUT_KEY
					+ " is applied to a copy of the HTTP client on every request; set " + ProxyProperties.PREFIX + "."
					+ CONNECT_TIMEOUT_KEY + " instead");
		}
		for (int i = 0; i < gateway.getRoutes().size(); i++) {
			if (gateway.getRoutes().get(i).getMetadata().containsKey(CONNECT_TIMEOUT_KEY)) {
				throw new IllegalStateException(GatewayProperties.PREFIX + ".routes[" + i + "].metadata."
						+ CONNECT_TIMEOUT_KEY + " is not applied per route; set " + ProxyProperties.PREFIX + "."
						+ CONNECT_TIMEOUT_KEY + " instead");
			}
		}
	}

	/**
	 * Spring Cloud Gateway's response timeouts (global and per route) run from the
	 * request's start, through the client's upload: a slow client would be charged to the
	 * instance. Start-up stops naming the setting to use instead.
	 */
	private static void refuseWholeExchangeTimeouts(HttpClientProperties httpClient, GatewayProperties gateway) {
		if (httpClient.getResponseTimeout() != null) {
			throw new IllegalStateException("spring.cloud.gateway.server.webflux.httpclient." + RESPONSE_TIMEOUT_KEY
					+ " counts a client's slow upload against the instance; set " + ProxyProperties.PREFIX + "."
					+ RESPONSE_TIMEOUT_KEY + " instead");
		}
		for (int i = 0; i < gateway.getRoutes().size(); i++) {
			RouteDefinition route = gateway.getRoutes().get(i);
			if (route.getMetadata().containsKey(RESPONSE_TIMEOUT_KEY)) {
				throw new IllegalStateException(GatewayProperties.PREFIX + ".routes[" + i + "].metadata."
						+ RESPONSE_TIMEOUT_KEY + " counts a client's slow upload against the instance; set "
						+ ProxyProperties.PREFIX + "." + RESPONSE_TIMEOUT_KEY + " instead");
			}
		}
	}

}
