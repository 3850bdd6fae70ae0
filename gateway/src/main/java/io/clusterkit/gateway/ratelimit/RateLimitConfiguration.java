package io.clusterkit.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.config.RateLimitProperties;
import io.clusterkit.gateway.forwarding.ClientAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The per-client rate limit, when switched on.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = RateLimitProperties.PREFIX + ".enabled")
class RateLimitConfiguration {

	private static final Duration EVICTION_INTERVAL = Duration.ofSeconds(1);

	@Bean
	TokenBuckets tokenBuckets(RateLimitProperties properties, MeterRegistry meters) {
		TokenBuckets buckets = new TokenBuckets(properties.requestsPerSecond(), properties.burst(), System::nanoTime);
		Gauge.builder("cluster.rate-limit.clients", buckets, TokenBuckets::clients)
			.description("Client addresses whose token bucket is not full")
			.register(meters);
		return buckets;
	}

	@Bean
	RateLimitFilter rateLimitFilter(TokenBuckets buckets, ClientAddress clientAddress, MeterRegistry meters) {
		return new RateLimitFilter(buckets, clientAddress,
				Counter.builder("cluster.rate-limit.refused")
					.description("Requests answered 429 by the per-client rate limit")
					.register(meters));
	}

	@Bean(destroyMethod = "dispose")
	Disposable rateLimitEviction(TokenBuckets buckets) {
		return Schedulers.parallel()
			.schedulePeriodically(buckets::evictFull, EVICTION_INTERVAL.toMillis(), EVICTION_INTERVAL.toMillis(),
					TimeUnit.MILLISECONDS);
	}

}
