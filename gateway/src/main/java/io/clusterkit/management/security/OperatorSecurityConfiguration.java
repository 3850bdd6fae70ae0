package io.clusterkit.management.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

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
import org.springframework.security.crypto.password.PasswordEncoder;
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

	/**
	 * The operator, and for any other name a decoy whose password matches nothing: the
	 * password check runs either way, so an unknown user takes as long to refuse as a
	 * wrong password, and the answer's timing does not tell which names exist.
	 */
	@Bean
	ReactiveUserDetailsService operators(AdminProperties admin) {
		if (admin.password() == null || admin.password().isBlank()) {
			return (username) -> Mono.empty();
		}
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		UserDetails operator = User.withUsername(admin.username())
			.password(encoder.encode(admin.password()))
			.roles(OPERATOR)
			.build();
		UserDetails decoy = User.withUsername(admin.username())
			.password(encoder.encode(UUID.randomUUID().toString()))
			.roles()
			.build();
		byte[] operatorName = admin.username().getBytes(StandardCharsets.UTF_8);
		return (username) -> Mono.just(User
			.withUserDetails(
					MessageDigest.isEqual(operatorName, username.getBytes(StandardCharsets.UTF_8)) ? operator : decoy)
			.build());
	}

}
