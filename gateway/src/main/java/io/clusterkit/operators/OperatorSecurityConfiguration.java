package io.clusterkit.operators;

import io.clusterkit.gateway.config.AdminProperties;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Only the {@code balancer} endpoint is secured, and only its writes: they need HTTP
 * Basic as the operator ({@code cluster.admin.username}/{@code password}); reads, health
 * and metrics stay open for probes and scrapers. No password is built in: without one
 * every write is refused with 401.
 * <p>
 * Spring Security lives in the management context only (Boot's reactive security
 * auto-configuration is excluded from the application's, see {@code GatewayApplication}):
 * with the usual separate management port, proxied traffic never meets a security filter,
 * where a chain in the application context would run its firewall and matchers on every
 * request. This package lies outside the application's component scan, as a management
 * context configuration must; with the management port equal to the public one
 * ({@code ANY}) the same chain guards the shared context.
 *
 * @author clusterkit
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@EnableWebFluxSecurity
class OperatorSecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	@Bean
	SecurityWebFilterChain adminSecurity(ServerHttpSecurity http) {
		return http.securityMatcher(EndpointRequest.to("balancer"))
			.authorizeExchange((exchanges) -> exchanges.pathMatchers(HttpMethod.GET, "/**")
				.permitAll()
				.anyExchange()
				.hasRole(OPERATOR))
			.httpBasic(Customizer.withDefaults())
			// no cookies, no browser session: Basic credentials on every write
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.build();
	}

	@Bean
	ReactiveUserDetailsService operators(AdminProperties admin) {
		if (admin.password() == null || admin.password().isBlank()) {
			return (username) -> Mono.empty();
		}
		UserDetails operator = User.withUsername(admin.username())
			.password(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(admin.password()))
			.roles(OPERATOR)
			.build();
		return (username) -> operator.getUsername().equals(username) ? Mono.just(User.withUserDetails(operator).build())
				: Mono.empty();
	}

}
