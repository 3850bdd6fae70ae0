package io.clusterkit.gateway.limits;

import java.util.List;

import io.clusterkit.gateway.config.LimitsProperties;
import io.clusterkit.gateway.forwarding.ClientAddress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.netty.http.server.HttpRequestDecoderSpec;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The public port's bounds: the per-connection guards ({@link PublicPortGuards}, for
 * HTTP/1.1 and HTTP/2), the HTTP/2 settings and the connection cap on its Netty server
 * (this context's server only: the management port's factory is customized by its own
 * context), the body limit on every route.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class LimitsConfiguration {

	private static final String REACTOR_IDLE_TIMEOUT = "server.netty.idle-timeout";

	@Bean
	ConnectionLimit connectionLimit(LimitsProperties properties) {
		return new ConnectionLimit(properties.maxConnections());
	}

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> publicPortLimits(LimitsProperties properties,
			ConnectionLimit connectionLimit, Environment environment) {
		if (environment.containsProperty(REACTOR_IDLE_TIMEOUT)) {
			throw new IllegalStateException(
					REACTOR_IDLE_TIMEOUT + " makes Reactor Netty remove and add a handler on every request; set "
							+ LimitsProperties.PREFIX + ".idle-timeout instead");
		}
		long headerTimeoutNanos = properties.headerTimeout().toNanos();
		long bodyTimeoutNanos = properties.bodyTimeout().toNanos();
		long idleTimeoutNanos = properties.idleTimeout().toNanos();
		return (factory) -> factory.addServerCustomizers((server) -> {
			HttpRequestDecoderSpec decoder = server.configuration().decoder();
			PublicPortGuards guards = new PublicPortGuards(decoder, headerTimeoutNanos, bodyTimeoutNanos,
					idleTimeoutNanos);
			return server
				.http2Settings((settings) -> settings.maxConcurrentStreams(properties.maxConcurrentStreams())
					.maxHeaderListSize(guards.http2HeaderListSize()))
				.doOnBound(
						(bound) -> bound.channel().pipeline().addFirst("clusterkit.connectionLimit", connectionLimit))
				.doOnChannelInit((observer, channel, address) -> guards.install(channel.pipeline()));
		});
	}

	@Bean
	@ConditionalOnExpression("${" + LimitsProperties.PREFIX + ".max-connections-per-client:256} > 0")
	ClientConcurrencyFilter clientConcurrencyFilter(LimitsProperties properties, ClientAddress clientAddress,
			MeterRegistry meters) {
		ClientConcurrency concurrency = new ClientConcurrency(properties.maxConnectionsPerClient());
		Gauge.builder("cluster.limits.clients", concurrency, ClientConcurrency::clients)
			.description("Client addresses holding a request or WebSocket open")
			.register(meters);
		return new ClientConcurrencyFilter(concurrency, clientAddress, properties.maxConnectionsPerClient());
	}

	@Bean
	BodySizeLimitFilter bodySizeLimitFilter(LimitsProperties properties, GatewayProperties gateway) {
		validateRouteLimits(gateway.getRoutes());
		return new BodySizeLimitFilter(properties.maxBodySize());
	}

	/** A route's limit that does not parse stops start-up, naming the route's key. */
	private static void validateRouteLimits(List<RouteDefinition> routes) {
		for (int i = 0; i < routes.size(); i++) {
			Object value = routes.get(i).getMetadata().get(LimitsProperties.ROUTE_MAX_BODY_SIZE);
			if (value == null) {
				continue;
			}
			try {
				BodySizeLimitFilter.parse(value);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(GatewayProperties.PREFIX + ".routes[" + i + "].metadata."
						+ LimitsProperties.ROUTE_MAX_BODY_SIZE + " must be a size such as 10MB, got '" + value + "'",
						ex);
			}
		}
	}

}
