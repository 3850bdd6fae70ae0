package io.clusterkit.gateway.ratelimit;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketsTests {

	long now = TimeUnit.HOURS.toNanos(1);

	final TokenBuckets buckets = new TokenBuckets(2, 3, () -> this.now);

	@Test
	void shouldAllowTheBurstAtOnceThenOneRequestPerInterval() {
		assertThat(this.buckets.tryTake("a")).isZero();
		assertThat(this.buckets.tryTake("a")).isZero();
		assertThat(this.buckets.tryTake("a")).isZero();
		assertThat(this.buckets.tryTake("a")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
		this.now += TimeUnit.MILLISECONDS.toNanos(499);
		assertThat(this.buckets.tryTake("a")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
		this.now += TimeUnit.MILLISECONDS.toNanos(1);
		assertThat(this.buckets.tryTake("a")).isZero();
		assertThat(this.buckets.tryTake("a")).isPositive();
	}

	@Test
	void shouldNotChargeRefusedRequests() {
		for (int i = 0; i < 3; i++) {
			this.buckets.tryTake("a");
		}
		for (int i = 0; i < 100; i++) {
			assertThat(this.buckets.tryTake("a")).isPositive();
		}
		this.now += TimeUnit.MILLISECONDS.toNanos(500);
		assertThat(this.buckets.tryTake("a")).isZero();
	}

	@Test
	void shouldKeepABucketPerClient() {
		for (int i = 0; i < 3; i++) {
			this.buckets.tryTake("a");
		}
		assertThat(this.buckets.tryTake("a")).isPositive();
		assertThat(this.buckets.tryTake("b")).isZero();
	}

	@Test
	void shouldRefillToTheBurstAndNoFurther() {
		for (int i = 0; i < 3; i++) {
			this.buckets.tryTake("a");
		}
		this.now += TimeUnit.MINUTES.toNanos(10);
		for (int i = 0; i < 3; i++) {
			assertThat(this.buckets.tryTake("a")).isZero();
		}
		assertThat(this.buckets.tryTake("a")).isPositive();
	}

	@Test
	void shouldForgetClientsOnlyOnceTheirBucketIsFull() {
		this.buckets.tryTake("a");
		this.buckets.tryTake("b");
		this.buckets.tryTake("b");
		this.buckets.tryTake("b");
		this.now += TimeUnit.MILLISECONDS.toNanos(500);
		this.buckets.evictFull();
		assertThat(this.buckets.clients()).as("b still owes a token").isEqualTo(1);
		this.now += TimeUnit.MILLISECONDS.toNanos(1000);
		this.buckets.evictFull();
		assertThat(this.buckets.clients()).isZero();
	}

	@Test
	void shouldAllowTheConfiguredRateOverAMinute() {
		TokenBuckets tenPerSecond = new TokenBuckets(10, 1, () -> this.now);
		int allowed = 0;
		for (int ms = 0; ms < 60_000; ms++) {
			if (tenPerSecond.tryTake("a") == 0) {
				allowed++;
			}
			this.now += TimeUnit.MILLISECONDS.toNanos(1);
		}
		assertThat(allowed).isEqualTo(600);
	}

}
