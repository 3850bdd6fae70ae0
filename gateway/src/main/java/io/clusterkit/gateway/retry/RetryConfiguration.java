package io.clusterkit.gateway.retry;

import io.clusterkit.gateway.config.RetryProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Retries on another instance, within the budget.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = RetryProperties.PREFIX + ".enabled", matchIfMissing = true)
class RetryConfiguration {

	@Bean
	RetryFilter retryFilter(RetryProperties properties, MeterRegistry meters) {
		return new RetryFilter(properties,
				new RetryBudget(properties.budget().percent(), properties.budget().minPerSecond(), System::nanoTime),
				meters);
	}

}
