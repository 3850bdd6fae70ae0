package io.clusterkit.worker.faults;

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
 * tests: a fraction of /api requests (all by default) first waits the extra latency
 * (without holding a thread), then a fraction of them is answered 503. Health and metrics
 * stay untouched, so the instance looks ready while its API misbehaves: what passive
 * ejection exists to catch. The {@link FaultsEndpoint} changes the faults at run time.
 *
 * @author clusterkit
 */
@Component
class FaultInjectionFilter implements WebFilter, Ordered {

	private final DoubleSupplier random;

	private volatile WorkerProperties.Faults faults;

	@Autowired
	FaultInjectionFilter(WorkerProperties properties) {
		this(properties.faults(), () -> ThreadLocalRandom.current().nextDouble());
	}

	FaultInjectionFilter(WorkerProperties.Faults faults, DoubleSupplier random) {
		this.faults = faults;
		this.random = random;
	}

	WorkerProperties.Faults faults() {
		return this.faults;
	}

	void apply(WorkerProperties.Faults faults) {
		this.faults = faults;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		WorkerProperties.Faults faults = this.faults;
		if (!faults.enabled() || !ApiPaths.isApi(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		Mono<Void> faulty = Mono
			.defer(() -> drawn(faults.errorRate()) ? Mono.error(injectedError()) : chain.filter(exchange));
		boolean late = !faults.extraLatency().isZero() && drawn(faults.extraLatencyRate());
		return late ? Mono.delay(faults.extraLatency()).then(faulty) : faulty;
	}

	private boolean drawn(double rate) {
		return rate >= 1 || (rate > 0 && this.random.getAsDouble() < rate);
	}

	private static ErrorResponseException injectedError() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"Injected fault (worker.faults.error-rate).");
		return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, null);
	}

}
