package io.clusterkit.gateway.admin;

import io.clusterkit.gateway.config.AdminProperties;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
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
 * every write is refused with 401. The chain matches management requests only, so the
 * proxied traffic passes one matcher check and no security filter.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class AdminSecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	@Bean
	SecurityWebFilterChain adminSecurity(ServerHttpSecurity http) {
		return http.securityMatcher(EndpointRequest.to(BalancerEndpoint.class))
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
