package io.clusterkit.management.security;

import org.junit.jupiter.api.Test;

import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorUsersTests {

	final ReactiveUserDetailsService users = new OperatorSecurityConfiguration()
		.operators(new AdminProperties("operator", "s3cret"));

	final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();

	@Test
	void shouldCheckAPasswordForAnUnknownUserAsForTheOperator() {
		UserDetails operator = this.users.findByUsername("operator").block();
		UserDetails unknown = this.users.findByUsername("mallory").block();
		assertThat(operator).isNotNull();
		assertThat(unknown).as("a decoy, so the same hash is computed").isNotNull();
		assertThat(unknown.getPassword()).startsWith("{bcrypt}");
		assertThat(this.encoder.matches("s3cret", operator.getPassword())).isTrue();
		assertThat(this.encoder.matches("s3cret", unknown.getPassword())).isFalse();
		assertThat(unknown.getAuthorities()).isEmpty();
	}

}
