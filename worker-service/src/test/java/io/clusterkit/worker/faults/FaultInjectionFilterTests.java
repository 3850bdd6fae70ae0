package io.clusterkit.worker.faults;

import java.time.Duration;

import io.clusterkit.worker.WorkerProperties;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.ErrorResponseException;

/**
 * The error rate is a fraction of a uniform draw, so the filter fails exactly the draws
 * below it; paths outside /api are never touched.
 */
class FaultInjectionFilterTests {

	@Test
	void shouldFailOnlyDrawsBelowTheRate() {
		WorkerProperties.Faults faults = new WorkerProperties.Faults(Duration.ZERO, 0.25, 1);
		StepVerifier.create(new FaultInjectionFilter(faults, () -> 0.24).filter(api(), (exchange) -> Mono.empty()))
			.expectError(ErrorResponseException.class)
			.verify();
		StepVerifier.create(new FaultInjectionFilter(faults, () -> 0.25).filter(api(), (exchange) -> Mono.empty()))
			.verifyComplete();
	}

	@Test
	void shouldDelayOnlyDrawsBelowTheExtraLatencyRate() {
		WorkerProperties.Faults faults = new WorkerProperties.Faults(Duration.ofSeconds(60), 0, 0.1);
		StepVerifier.create(new FaultInjectionFilter(faults, () -> 0.1).filter(api(), (exchange) -> Mono.empty()))
			.expectComplete()
			.verify(Duration.ofSeconds(30));
		StepVerifier
			.withVirtualTime(
					() -> new FaultInjectionFilter(faults, () -> 0.09).filter(api(), (exchange) -> Mono.empty()))
			.expectSubscription()
			.expectNoEvent(Duration.ofSeconds(59))
			.thenAwait(Duration.ofSeconds(1))
			.verifyComplete();
	}

	@Test
	void shouldLeaveActuatorAlone() {
		WorkerProperties.Faults faults = new WorkerProperties.Faults(Duration.ZERO, 1.0, 1);
		MockServerWebExchange health = MockServerWebExchange
			.from(MockServerHttpRequest.get("/actuator/health/readiness"));
		StepVerifier.create(new FaultInjectionFilter(faults, () -> 0.0).filter(health, (exchange) -> Mono.empty()))
			.verifyComplete();
	}

	private static MockServerWebExchange api() {
		return MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/hello"));
	}

}
