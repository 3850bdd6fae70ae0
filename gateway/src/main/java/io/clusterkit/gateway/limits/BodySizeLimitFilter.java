package io.clusterkit.gateway.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.clusterkit.gateway.config.LimitsProperties;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Refuses request bodies over the route's limit with 413: at once when the declared
 * {@code Content-Length} is over it, before any instance is picked or any byte read; and
 * for chunked bodies, which declare nothing, as soon as the bytes streamed through pass
 * it. Bodies are streamed, never gathered, so a large upload costs the gateway its
 * buffers in flight, not its size. A request with neither header has no body (RFC 9112)
 * and is not wrapped.
 *
 * @author clusterkit
 */
final class BodySizeLimitFilter implements GlobalFilter, Ordered {

	/** Before the load balancer, so a refused request never takes an instance's slot. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

	private final long defaultLimit;

	/** Parsed limits by the metadata value they came from: each value is parsed once. */
	private final Map<Object, Long> parsed = new ConcurrentHashMap<>();

	BodySizeLimitFilter(DataSize defaultLimit) {
		this.defaultLimit = defaultLimit.toBytes();
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		long limit = limitFor(exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR));
		long declared = headers.getContentLength();
		if (declared > limit) {
			return Mono.error(tooLarge(limit));
		}
		if (declared >= 0 || !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().request(new LimitedBody(request, limit)).build());
	}

	private long limitFor(Route route) {
		Object value = (route != null) ? route.getMetadata().get(LimitsProperties.ROUTE_MAX_BODY_SIZE) : null;
		if (value == null) {
			return this.defaultLimit;
		}
		return this.parsed.computeIfAbsent(value, (raw) -> parse(raw).toBytes());
	}

	/**
	 * A route's limit as written in its metadata: a number of bytes or a size such as
	 * {@code 10MB}.
	 * @throws IllegalArgumentException when it is neither, or negative
	 */
	static DataSize parse(Object value) {
		DataSize size = (value instanceof Number number) ? DataSize.ofBytes(number.longValue())
				: DataSize.parse(value.toString().trim());
		if (size.isNegative()) {
			throw new IllegalArgumentException("must not be negative");
		}
		return size;
	}

	static ResponseStatusException tooLarge(long limit) {
		return new BodyTooLarge(limit);
	}

	static final class BodyTooLarge extends Refusal {

		BodyTooLarge(long limit) {
			super(HttpStatus.CONTENT_TOO_LARGE,
					"The request body is larger than this route's limit of " + limit + " bytes.");
		}

	}

	/** A chunked body that fails once more bytes than the limit have passed. */
	private static final class LimitedBody extends ServerHttpRequestDecorator {

		private final long limit;

		private long seen;

		LimitedBody(ServerHttpRequest delegate, long limit) {
			super(delegate);
			this.limit = limit;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return super.getBody().handle((buffer, sink) -> {
				this.seen += buffer.readableByteCount();
				if (this.seen > this.limit) {
					DataBufferUtils.release(buffer);
					sink.error(tooLarge(this.limit));
				}
				else {
					sink.next(buffer);
				}
			});
		}

	}

}
