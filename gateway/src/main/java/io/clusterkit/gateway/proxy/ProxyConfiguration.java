package io.clusterkit.gateway.proxy;

import java.util.List;
import java.util.function.Supplier;

import io.clusterkit.gateway.config.LimitsProperties;
import io.clusterkit.gateway.config.ProxyProperties;
import io.clusterkit.gateway.forwarding.ProxyHeaders;
import io.clusterkit.gateway.loadreport.LoadReports;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * The request path around Spring Cloud Gateway: the entry filter every request meets
 * first, the routing filter that sends it on, the problems upstream failures are answered
 * with, and the gateway's clients to its instances. Plain requests share Spring Cloud
 * Gateway's pooled client, whose response timeout starts once the whole request was sent
 * (Reactor Netty's own {@code responseTimeout}), so a slow upload is never the instance's
 * silence. WebSockets get a client of their own without a pool: a long-lived upgraded
 * connection never takes one of the pooled connections plain requests need, and each one
 * is closed with 1001 after the WebSocket idle timeout.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

	private static final String RESPONSE_TIMEOUT_KEY = "response-timeout";

	private static final String CONNECT_TIMEOUT_KEY = "connect-timeout";

	/**
	 * The timeouts, set once on the client: Spring Cloud Gateway's own are applied to a
	 * copy of the client's configuration per request.
	 */
	@Bean
	HttpClientCustomizer timeoutsSetOnce(ProxyProperties proxy, HttpClientProperties httpClient,
			GatewayProperties gateway) {
		// Spring Cloud Gateway's response timeouts run from the request's start, through
		// the client's upload: a slow client would be charged to the instance
		String countsUpload = "counts a client's slow upload against the instance";
		refuseStockTimeout(RESPONSE_TIMEOUT_KEY, httpClient.getResponseTimeout(), countsUpload, gateway, countsUpload);
		refuseStockTimeout(CONNECT_TIMEOUT_KEY, httpClient.getConnectTimeout(),
				"is applied to a copy of the HTTP client on every request", gateway, "is not applied per route");
		return (client) -> client.responseTimeout(proxy.responseTimeout())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) proxy.connectTimeout().toMillis());
	}

	/**
	 * The WebSocket client Spring Cloud Gateway's {@code WebsocketRoutingFilter} uses,
	 * instead of its own, which shares the plain requests' pool.
	 */
	@Bean
	ReactorNettyWebSocketClient unpooledWebSocketClient(HttpClientProperties properties, LimitsProperties limits,
			ProxyProperties proxy, HttpClientSslConfigurer upstreamTls) {
		long idleNanos = limits.websocketIdleTimeout().toNanos();
		HttpClient client = upstreamTls.configureSsl(HttpClient.newConnection())
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
	EntryFilter entryFilter() {
		return new EntryFilter();
	}

	@Bean
	UpstreamProblems upstreamProblems() {
		return new UpstreamProblems();
	}

	@Bean
	UpstreamRoutingFilter upstreamRoutingFilter(ObjectProvider<HttpClient> gatewayHttpClient, ProxyHeaders proxyHeaders,
			LoadReports loadReports, ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
		return new UpstreamRoutingFilter(gatewayHttpClient, proxyHeaders, loadReports, headersFilters);
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

	/**
	 * Takes out Spring Cloud Gateway's gRPC header filters, which it adds whenever HTTP/2
	 * is on: gRPC needs HTTP/2 with trailers end to end, and requests go to the instances
	 * over HTTP/1.1, so the filters could not make it work, and would only cost every
	 * request two more header filters.
	 */
	@Bean
	static BeanDefinitionRegistryPostProcessor withoutGrpcHeaderFilters() {
		return (registry) -> {
			for (String name : List.of("gRPCRequestHeadersFilter", "gRPCResponseHeadersFilter")) {
				if (registry.containsBeanDefinition(name)) {
					registry.removeBeanDefinition(name);
				}
			}
		};
	}

	/**
	 * A timeout Spring Cloud Gateway would apply otherwise than ours stops start-up,
	 * naming the setting to use instead: globally it copies the client per request (or
	 * counts the upload), per route nothing here would apply it.
	 */
	private static void refuseStockTimeout(String key, @Nullable Object global, String why, GatewayProperties gateway,
			String whyPerRoute) {
		if (global != null) {
			throw refusal("spring.cloud.gateway.server.webflux.httpclient." + key, why, key);
		}
		for (int i = 0; i < gateway.getRoutes().size(); i++) {
			if (gateway.getRoutes().get(i).getMetadata().containsKey(key)) {
				throw refusal(GatewayProperties.PREFIX + ".routes[" + i + "].metadata." + key, whyPerRoute, key);
			}
		}
	}

	private static IllegalStateException refusal(String setting, String why, String key) {
		return new IllegalStateException(
				setting + " " + why + "; set " + ProxyProperties.PREFIX + "." + key + " instead");
	}

}
