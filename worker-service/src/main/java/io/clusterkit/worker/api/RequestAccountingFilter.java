package io.clusterkit.worker.api;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Tags every response with {@code X-Instance-Id} (errors included, so a client can always
 * tell who answered) and, as it is committed, with the {@link LoadReport}; counts /api
 * requests served, failed and in flight. Runs first, so time spent in injected faults
 * counts as in flight too.
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
		ServerHttpResponse response = exchange.getResponse();
		response.getHeaders().set(INSTANCE_HEADER, this.identity.id());
		if (this.load.enabled()) {
			// as late as can be: the in-flight count when the answer leaves
			response.beforeCommit(() -> {
				response.getHeaders().set(LoadReport.HEADER, this.load.value());
				return Mono.empty();
			});
		}
		if (!ApiPaths.isApi(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		this.identity.requestStarted();
		return chain.filter(exchange).doFinally((signal) -> {
			HttpStatusCode status = response.getStatusCode();
			if (status != null && status.is5xxServerError()) {
				this.load.recordError();
			}
			this.identity.requestEnded();
		});
	}

}
