package io.clusterkit.gateway.retry;

import java.io.IOException;
import java.time.Duration;

import io.clusterkit.gateway.config.RetryProperties;
import io.clusterkit.gateway.loadbalancer.Attempts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Retries a failed idempotent request on another instance (HAProxy's {@code redispatch},
 * Envoy's retry policy): when the upstream refused or dropped the connection before
 * answering, or answered with a retryable status (502, 503). It sits inside
 * {@code NettyWriteResponseFilter}, so it decides before a byte of the failed response
 * reaches the client, and before the route is resolved, so each attempt is balanced anew.
 * It ends the failed attempt in the request's {@link Attempts}, with what it saw, before
 * the next begins: the verdict is passed on, and the balancer leaves out the instances
 * this request already tried. A response that has started is never retried, nor is a
 * request with a body, nor anything past the budget.
 *
 * @author clusterkit
 */
class RetryFilter implements GlobalFilter, Ordered {

	/** Stands for "no error" in the outcome of an attempt; never thrown. */
	private static final Throwable SUCCESS = new Throwable("succeeded", null, false, false) {
	};

	private static final Mono<Throwable> SUCCEEDED = Mono.just(SUCCESS);

	private final RetryProperties properties;

	private final RetryBudget budget;

	private final Counter retries;

	private final Counter refused;

	RetryFilter(RetryProperties properties, RetryBudget budget, MeterRegistry meters) {
		this.retries = Counter.builder("cluster.retries")
			.description("Requests sent again to another instance after a retryable failure")
			.register(meters);
		this.refused = Counter.builder("cluster.retries.refused")
			.description("Retryable failures passed to the client because the retry budget was spent")
			.register(meters);
		this.properties = properties;
		this.budget = budget;
	}

	@Override
	public int getOrder() {
		return RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER - 1;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!this.properties.methods().contains(request.getMethod()) || hasBody(request.getHeaders())) {
			return chain.filter(exchange);
		}
		this.budget.recordRequest();
		return attempt(exchange, chain, 0);
	}

	private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, int retries) {
		return chain.filter(exchange).then(SUCCEEDED).onErrorResume(Mono::just).flatMap((outcome) -> {
			boolean succeeded = outcome == SUCCESS;
			boolean failed = succeeded ? retryableStatus(exchange) : retryableError(outcome);
			if (failed && retries < this.properties.maxRetries() && !exchange.getResponse().isCommitted()
					&& retryAllowed()) {
				Attempts attempts = Attempts.of(exchange);
				if (attempts != null) {
					attempts.endForRetry(succeeded ? null : outcome, exchange.getResponse().getStatusCode());
				}
				discardFailedAttempt(exchange);
				Duration backoff = this.properties.backoff().multipliedBy(1L << retries);
				return Mono.delay(backoff).then(attempt(exchange, chain, retries + 1));
			}
			return succeeded ? Mono.empty() : Mono.error(outcome);
		});
	}

	private boolean retryAllowed() {
		if (this.budget.tryRetry()) {
			this.retries.increment();
			return true;
		}
		this.refused.increment();
		return false;
	}

	private boolean retryableStatus(ServerWebExchange exchange) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return status != null && this.properties.statuses().contains(status.value());
	}

	private static boolean retryableError(Throwable ex) {
		// refused, timed out connecting, reset or closed: any I/O failure seen here came
		// before the response, since the body is read outside this filter
		return ex instanceof IOException;
	}

	private static void discardFailedAttempt(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		if (connection != null) {
			// its unread body makes it unfit for reuse
			connection.dispose();
		}
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
		ServerWebExchangeUtils.reset(exchange);
		exchange.getResponse().setStatusCode(null);
	}

	private static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
