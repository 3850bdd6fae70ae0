package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Simulations with a virtual clock: 3 instances, one 50 ms slower, 16 requests in flight
 * at all times; each request ends after its instance's latency.
 */
class PeakEwmaTests {

	private static final long MS = Duration.ofMillis(1).toNanos();

	private long now = 1_000 * MS;

	@Test
	void shouldJumpToAPeakAndDecayWithTheTimeConstant() {
		Endpoint endpoint = new Endpoint("a", 1, 10_000 * MS);
		assertThat(endpoint.latencyEstimate(this.now)).isNegative();
		endpoint.observeLatency(2 * MS, this.now);
		endpoint.observeLatency(50 * MS, this.now);
		assertThat(endpoint.latencyEstimate(this.now)).isEqualTo(50.0 * MS);
		assertThat(endpoint.latencyEstimate(this.now + 10_000 * MS)).isCloseTo(50.0 * MS / Math.E, within(1.0));
	}

	@Test
	void shouldStarveTheSlowInstanceOnceItsEstimateSettles() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1, 1);
		long[] latency = { 2 * MS, 2 * MS, 52 * MS };
		Balancer balancer = PowerOfTwoChoices.peakEwma(new SplittableRandom(3), () -> this.now);
		Pool pool = Pool.of(endpoints);
		simulate(pool, balancer, latency, 500);
		int[] counts = simulate(pool, balancer, latency, 20_000);
		assertThat(counts[2] / 20_000.0).isLessThan(0.01);
	}

	@Test
	void shouldProbeARecoveredInstanceWithinAboutTheTimeConstantAndGiveItsShareBack() {
		// decay 10 s: the 52 ms peak must decay below the fast instances' load-weighted
		// cost (about 2 ms x 9) before it is probed again, then the estimate follows the
		// fast answers down with the same time constant
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1, 1);
		long[] latency = { 2 * MS, 2 * MS, 52 * MS };
		Balancer balancer = PowerOfTwoChoices.peakEwma(new SplittableRandom(5), () -> this.now);
		Pool pool = Pool.of(endpoints);
		simulate(pool, balancer, latency, 5_000);
		latency[2] = 2 * MS;
		long recoveredAt = this.now;
		long probedAgainAt = -1;
		long halfShareAt = -1;
		while (halfShareAt < 0 && this.now - recoveredAt < 60_000 * MS) {
			int[] counts = simulate(pool, balancer, latency, 3_000);
			if (probedAgainAt < 0 && counts[2] >= 30) {
				probedAgainAt = this.now - recoveredAt;
			}
			if (counts[2] >= 3_000 / 6) {
				halfShareAt = this.now - recoveredAt;
			}
		}
		assertThat(probedAgainAt).isPositive().isLessThan(15_000 * MS);
		assertThat(halfShareAt).isPositive().isLessThan(30_000 * MS);
	}

	@Test
	void shouldLetANewInstanceJoinOnEqualTerms() {
		List<Endpoint> endpoints = Endpoints.withWeights(1, 1);
		endpoints.get(0).observeLatency(5 * MS, this.now);
		Pool pool = Pool.of(endpoints);
		// unobserved b is compared by load alone: it wins while less loaded
		Endpoints.setInFlight(endpoints.get(0), 2);
		assertThat(new PeakEwmaCost(() -> this.now).cheaper(pool, 1, 0)).isTrue();
		Endpoints.setInFlight(endpoints.get(1), 3);
		assertThat(new PeakEwmaCost(() -> this.now).cheaper(pool, 1, 0)).isFalse();
	}

	/**
	 * Closed-loop simulation: a request ends after its instance's latency; 16 are kept in
	 * flight; the clock jumps from one ending to the next.
	 */
	private int[] simulate(Pool pool, Balancer balancer, long[] latency, int requests) {
		int concurrency = 16;
		long[] endsAt = new long[concurrency];
		int[] onInstance = new int[concurrency];
		long[] startedAt = new long[concurrency];
		int[] counts = new int[pool.size()];
		for (int slot = 0; slot < concurrency; slot++) {
			start(pool, balancer, latency, endsAt, onInstance, startedAt, counts, slot);
		}
		for (int done = 0; done < requests; done++) {
			int slot = 0;
			for (int i = 1; i < concurrency; i++) {
				if (endsAt[i] < endsAt[slot]) {
					slot = i;
				}
			}
			this.now = endsAt[slot];
			Endpoint endpoint = pool.get(onInstance[slot]);
			endpoint.observeLatency(this.now - startedAt[slot], this.now);
			endpoint.release();
			start(pool, balancer, latency, endsAt, onInstance, startedAt, counts, slot);
		}
		for (int slot = 0; slot < concurrency; slot++) {
			pool.get(onInstance[slot]).release();
		}
		return counts;
	}

	private void start(Pool pool, Balancer balancer, long[] latency, long[] endsAt, int[] onInstance, long[] startedAt,
			int[] counts, int slot) {
		int picked = balancer.pick(pool);
		pool.get(picked).acquire();
		counts[picked]++;
		onInstance[slot] = picked;
		startedAt[slot] = this.now;
		endsAt[slot] = this.now + latency[picked];
	}

}
