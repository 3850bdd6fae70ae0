package io.clusterkit.gateway.retry;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTests {

	private long now;

	@Test
	void shouldAllowRetriesUpToTheShareOfRequests() {
		RetryBudget budget = new RetryBudget(20, 0, () -> this.now);
		for (int i = 0; i < 100; i++) {
			budget.recordRequest();
		}
		for (int i = 0; i < 20; i++) {
			assertThat(budget.tryRetry()).isTrue();
		}
		assertThat(budget.tryRetry()).isFalse();
	}

	@Test
	void shouldRefillTheFloorEverySecond() {
		RetryBudget budget = new RetryBudget(0, 5, () -> this.now);
		for (int i = 0; i < 5; i++) {
			assertThat(budget.tryRetry()).as("the first second's floor, at once").isTrue();
		}
		assertThat(budget.tryRetry()).isFalse();
		this.now += Duration.ofSeconds(1).toNanos();
		for (int i = 0; i < 5; i++) {
			assertThat(budget.tryRetry()).isTrue();
		}
		assertThat(budget.tryRetry()).isFalse();
	}

	@Test
	void shouldNotBankAnUnboundedBurst() {
		RetryBudget budget = new RetryBudget(100, 0, () -> this.now);
		for (int i = 0; i < 10_000; i++) {
			budget.recordRequest();
		}
		int allowed = 0;
		while (budget.tryRetry()) {
			allowed++;
		}
		assertThat(allowed).isEqualTo(100);
	}

}
