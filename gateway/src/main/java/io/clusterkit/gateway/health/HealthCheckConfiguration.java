package io.clusterkit.gateway.health;

import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.HealthProperties;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Active health checking of every discovered instance, and its health component.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = HealthProperties.PREFIX + ".enabled", matchIfMissing = true)
class HealthCheckConfiguration {

	@Bean
	ActiveHealthChecker activeHealthChecker(EndpointRegistry registry, HealthProperties properties) {
		return new ActiveHealthChecker(registry, properties);
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnBooleanProperty(name = HealthProperties.PREFIX + ".latency-outliers.enabled", matchIfMissing = true)
	Disposable latencyOutlierDetection(EndpointRegistry registry, HealthProperties properties) {
		HealthProperties.LatencyOutliers settings = properties.latencyOutliers();
		OutlierDetection detection = new OutlierDetection(registry,
				new LatencyOutliers(settings.factor(), settings.floor().toNanos(), settings.minRequests()));
		long interval = settings.interval().toMillis();
		return Schedulers.parallel().schedulePeriodically(detection, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Bean
	UpstreamHealthContributor upstreamsHealthContributor(EndpointRegistry registry, ActiveHealthChecker checker) {
		return new UpstreamHealthContributor(registry, checker);
	}

}
