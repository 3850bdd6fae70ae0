package io.clusterkit.gateway.health;

import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.config.HealthProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Active health checking of every discovered instance, passive health (ejection on
 * consecutive failures and latency outliers), and their health component.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = HealthProperties.PREFIX + ".enabled", matchIfMissing = true)
class HealthCheckConfiguration {

	private static final Log logger = LogFactory.getLog(HealthCheckConfiguration.class);

	@Bean
	PassiveHealth passiveHealth(EndpointRegistry registry, HealthProperties properties) {
		HealthProperties.Ejection ejection = properties.ejection();
		HealthProperties.LatencyOutliers latency = properties.latencyOutliers();
		return new PassiveHealth(registry,
				new PassiveHealth.Settings(ejection.consecutiveFailures(), ejection.baseTime().toNanos(),
						ejection.maxTime().toNanos(), ejection.maxEjectionPercent(), latency.ejectionTime().toNanos()),
				latency.enabled()
						? new LatencyOutliers(latency.factor(), latency.floor().toNanos(), latency.minRequests())
						: null,
				System::nanoTime);
	}

	@Bean
	ActiveHealthChecker activeHealthChecker(EndpointRegistry registry, PassiveHealth passiveHealth,
			HealthProperties properties, HttpClientSslConfigurer upstreamTls) {
		return new ActiveHealthChecker(registry, passiveHealth, properties, upstreamTls::configureSsl);
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnBooleanProperty(name = HealthProperties.PREFIX + ".latency-outliers.enabled", matchIfMissing = true)
	Disposable latencyOutlierDetection(PassiveHealth passiveHealth, HealthProperties properties) {
		long interval = properties.latencyOutliers().interval().toMillis();
		return Schedulers.parallel().schedulePeriodically(() -> {
			try {
				passiveHealth.judgeLatency();
			}
			catch (RuntimeException ex) {
				// a periodic task that throws is never run again
				logger.warn("Latency outlier detection failed this round", ex);
			}
		}, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Bean
	UpstreamHealthContributor upstreamsHealthContributor(EndpointRegistry registry, ActiveHealthChecker checker) {
		return new UpstreamHealthContributor(registry, checker);
	}

}
