package io.clusterkit.worker.faults;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import io.clusterkit.worker.WorkerProperties;
import io.clusterkit.worker.api.ApiPaths;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Makes this instance slow or failing on purpose, for demos, benchmarks and failure
 * tests: every /api request first waits the extra latency (without holding a thread),
 * then a fraction of them is answered 503. Health and metrics stay untouched, so the
 * instance looks ready while its API misbehaves: what passive ejection exists to catch.
 *
 * @author clusterkit
 */
@Component
class FaultInjectionFilter implements WebFilter, Ordered {

	private final Duration extraLatency;

	private final double errorRate;

	private final DoubleSupplier random;

	private final boolean enabled;

	@Autowired
	FaultInjectionFilter(WorkerProperties properties) {
		this(properties.faults(), () -> ThreadLocalRandom.current().nextDouble());
	}

	FaultInjectionFilter(WorkerProperties.Faults faults, DoubleSupplier random) {
		this.extraLatency = faults.extraLatency();
		this.errorRate = faults.errorRate();
		this.random = random;
		this.enabled = faults.enabled();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!this.enabled || !ApiPaths.isApi(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		Mono<Void> faulty = Mono.defer(() -> failsNow() ? Mono.error(injectedError()) : chain.filter(exchange));
		return this.extraLatency.isZero() ? faulty : Mono.delay(this.extraLatency).then(faulty);
	}

	private boolean failsNow() {
		return this.errorRate > 0 && this.random.getAsDouble() < this.errorRate;
	}

	private static ErrorResponseException injectedError() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"Injected fault (worker.faults.error-rate).");
		return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, null);
	}

}
