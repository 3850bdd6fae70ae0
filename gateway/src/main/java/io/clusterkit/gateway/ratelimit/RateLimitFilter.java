package io.clusterkit.gateway.ratelimit;

import java.net.InetAddress;

import io.clusterkit.gateway.forwarding.ClientAddress;
import io.clusterkit.gateway.limits.Refusal;
import io.micrometer.core.instrument.Counter;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Limits each client address (behind trusted proxies, the client they name) to its token
 * bucket: a request past it is answered 429 problem+json with {@code Retry-After}, before
 * routing, so it never reaches an instance.
 *
 * @author clusterkit
 */
final class RateLimitFilter implements WebFilter, Ordered {

	private final TokenBuckets buckets;

	private final ClientAddress clientAddress;

	private final Counter refused;

	RateLimitFilter(TokenBuckets buckets, ClientAddress clientAddress, Counter refused) {
		this.buckets = buckets;
		this.clientAddress = clientAddress;
		this.refused = refused;
	}

	@Override
	public int getOrder() {
		// after the request id (its 429 carries one) and the path check
		return Ordered.HIGHEST_PRECEDENCE + 2;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		InetAddress client = this.clientAddress.of(exchange);
		if (client == null) {
			return chain.filter(exchange);
		}
		long waitNanos = this.buckets.tryTake(client);
		if (waitNanos == 0) {
			return chain.filter(exchange);
		}
		this.refused.increment();
		return Mono.error(new TooManyRequests(waitNanos));
	}

	static final class TooManyRequests extends Refusal {

		TooManyRequests(long waitNanos) {
			super(HttpStatus.TOO_MANY_REQUESTS,
					"Too many requests from this client address; retry after " + retryAfterSeconds(waitNanos) + " s.",
					retryAfterSeconds(waitNanos));
		}

		static long retryAfterSeconds(long waitNanos) {
			return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
		}

	}

}
