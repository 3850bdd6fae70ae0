package io.clusterkit.gateway.tls;

import io.clusterkit.gateway.config.TlsProperties;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The public port over TLS. The TLS itself is Spring Boot's: an SSL bundle
 * ({@code server.ssl.bundle}; the {@code tls} profile sets one up from PEM files,
 * reloaded when they change), nothing hand-written. This adds what a TLS front is
 * expected to add, and nothing when the port speaks plain HTTP.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${server.ssl.bundle:}' != '' or '${server.ssl.certificate:}' != '' "
		+ "or '${server.ssl.key-store:}' != ''")
class TlsConfiguration {

	@Bean
	StrictTransportSecurityFilter strictTransportSecurityFilter(TlsProperties properties) {
		return new StrictTransportSecurityFilter(properties);
	}

}
