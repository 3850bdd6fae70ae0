package io.clusterkit.worker.api;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Tags every response with {@code X-Instance-Id} (errors included, so a client can always
 * tell who answered) and with the {@link LoadReport}; counts /api requests served, failed
 * and in flight. Runs first, so time spent in injected faults counts as in flight too.
 *
 * @author clusterkit
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestAccountingFilter implements WebFilter {

	static final String INSTANCE_HEADER = "X-Instance-Id";

	private final InstanceIdentity identity;

	private final LoadReport load;

	RequestAccountingFilter(InstanceIdentity identity, LoadReport load) {
		this.identity = identity;
		this.load = load;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		headers.set(INSTANCE_HEADER, this.identity.id());
		if (!ApiPaths.isApi(exchange.getRequest())) {
			report(headers);
			return chain.filter(exchange);
		}
		this.identity.requestStarted();
		// as the request arrives, itself included: a header set before commit would cost
		// a commit action per response (12 us of a worker's 108 per request, measured)
		report(headers);
		return chain.filter(exchange).doFinally((signal) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			if (status != null && status.is5xxServerError()) {
				this.load.recordError();
			}
			this.identity.requestEnded();
		});
	}

	private void report(HttpHeaders headers) {
		if (this.load.enabled()) {
			headers.set(LoadReport.HEADER, this.load.value());
		}
	}

}
