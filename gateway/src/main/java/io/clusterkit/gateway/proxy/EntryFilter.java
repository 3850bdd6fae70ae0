package io.clusterkit.gateway.proxy;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.clusterkit.accesslog.AccessLogAutoConfiguration;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The first filter every request meets, one instead of two: it gives the request its id,
 * then refuses an ambiguous path with 400 ({@link AmbiguousPaths}), so the refusal
 * carries the id too.
 * <p>
 * Every request gets an {@code X-Request-Id}: the client's own when it sent exactly one
 * well-formed value (1 to 128 of {@code A-Z a-z 0-9 - _ . : / + =}, what UUIDs, trace ids
 * and other gateways' ids are made of), else a new random UUID. The id goes to the worker
 * with the request and back to the client with the response, whoever answers (the worker,
 * or the gateway's own 404/502/503), so one id names the request in the logs of both
 * sides. A malformed value is replaced, never passed on: it would land in logs, where
 * control characters or kilobytes of it are abuse.
 * <p>
 * A well-formed id costs nothing; a new one one UUID (from {@link ThreadLocalRandom}, not
 * the contended {@code SecureRandom} of {@code UUID.randomUUID()}), kept with the
 * exchange: {@link UpstreamRoutingFilter} writes it into the headers sent upstream, which
 * the gateway writes anyway, rather than mutating the request (a copy of every header and
 * two decorators per request).
 *
 * @author clusterkit
 */
class EntryFilter implements WebFilter, Ordered {

	static final String HEADER = AccessLogAutoConfiguration.REQUEST_ID_HEADER;

	/** The exchange attribute holding an id the gateway made, replacing the client's. */
	static final String REPLACED = EntryFilter.class.getName() + ".replaced";

	private static final int MAX_LENGTH = 128;

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		List<String> sent = exchange.getRequest().getHeaders().get(HEADER);
		String id;
		if (sent != null && sent.size() == 1 && isWellFormed(sent.get(0))) {
			id = sent.get(0);
		}
		else {
			id = newId();
			exchange.getAttributes().put(REPLACED, id);
		}
		ServerHttpResponse response = exchange.getResponse();
		// at commit, after the upstream's headers were copied: ours is the one the client
		// sees
		response.beforeCommit(() -> {
			response.getHeaders().set(HEADER, id);
			return Mono.empty();
		});
		if (AmbiguousPaths.isAmbiguous(exchange.getRequest().getURI().getRawPath())) {
			return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, AmbiguousPaths.REFUSAL));
		}
		return chain.filter(exchange);
	}

	static boolean isWellFormed(String id) {
		if (id.isEmpty() || id.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=';
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	private static String newId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long high = (random.nextLong() & ~0xF000L) | 0x4000L;
		long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(high, low).toString();
	}

}
