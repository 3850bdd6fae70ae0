package io.clusterkit.gateway.limits;

import java.util.List;

import io.clusterkit.gateway.config.LimitsProperties;
import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The public port's bounds: the per-connection guard and the connection cap on its Netty
 * server (this context's server only: the management port's factory is customized by its
 * own context), the body limit on every route.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class LimitsConfiguration {

	@Bean
	ConnectionLimit connectionLimit(LimitsProperties properties) {
		return new ConnectionLimit(properties.maxConnections());
	}

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> publicPortLimits(LimitsProperties properties,
			ConnectionLimit connectionLimit) {
		long headerTimeoutNanos = properties.headerTimeout().toNanos();
		return (factory) -> factory.addServerCustomizers((server) -> server
			.doOnBound((bound) -> bound.channel().pipeline().addFirst("clusterkit.connectionLimit", connectionLimit))
			.doOnChannelInit((observer, channel, address) -> {
				RequestHeadGuard guard = new RequestHeadGuard(headerTimeoutNanos);
				channel.pipeline()
					.addBefore(NettyPipeline.HttpCodec, "clusterkit.headBytes", guard.bytes())
					.addAfter(NettyPipeline.HttpCodec, "clusterkit.heads", guard.requests());
			}));
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
