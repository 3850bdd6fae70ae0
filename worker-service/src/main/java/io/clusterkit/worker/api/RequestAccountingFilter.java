package io.clusterkit.worker.api;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Tags every response with {@code X-Instance-Id} (errors included, so a client can always
 * tell who answered) and counts /api requests served and in flight. Runs first, so time
 * spent in injected faults counts as in flight too.
 *
 * @author clusterkit
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestAccountingFilter implements WebFilter {

	static final String INSTANCE_HEADER = "X-Instance-Id";

	private final InstanceIdentity identity;

	RequestAccountingFilter(InstanceIdentity identity) {
		this.identity = identity;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		exchange.getResponse().getHeaders().set(INSTANCE_HEADER, this.identity.id());
		if (!ApiPaths.isApi(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		this.identity.requestStarted();
		return chain.filter(exchange).doFinally((signal) -> this.identity.requestEnded());
	}

}
