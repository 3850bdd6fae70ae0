package io.clusterkit.gateway.health;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RiseFallTests {

	@Test
	void shouldGoDownAfterFallConsecutiveFailures() {
		RiseFall state = new RiseFall(2, 3, true);
		assertThat(state.record(false, "refused")).isFalse();
		assertThat(state.record(false, "refused")).isFalse();
		assertThat(state.record(false, "refused")).isTrue();
		assertThat(state.isUp()).isFalse();
		assertThat(state.lastResult().detail()).isEqualTo("refused");
	}

	@Test
	void shouldComeUpAfterRiseConsecutiveSuccesses() {
		RiseFall state = new RiseFall(2, 3, false);
		assertThat(state.record(true, "200")).isFalse();
		assertThat(state.record(true, "200")).isTrue();
		assertThat(state.isUp()).isTrue();
	}

	@Test
	void shouldRestartTheCountOnAnOppositeResult() {
		RiseFall state = new RiseFall(2, 3, true);
		state.record(false, "503");
		state.record(false, "503");
		state.record(true, "200");
		assertThat(state.record(false, "503")).isFalse();
		assertThat(state.record(false, "503")).isFalse();
		assertThat(state.isUp()).isTrue();
		assertThat(state.record(false, "503")).isTrue();
	}

	@Test
	void shouldFlipAtOnceWithRiseAndFallOfOne() {
		RiseFall state = new RiseFall(1, 1, true);
		assertThat(state.record(false, "x")).isTrue();
		assertThat(state.record(true, "y")).isTrue();
	}

}
