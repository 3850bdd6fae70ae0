package io.clusterkit.gateway.proxy;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends upstream the {@code X-Request-Id} that {@link EntryFilter} made when the client
 * sent none (or a malformed one); a client's well-formed id goes on as it came. Ordered
 * last among the header filters, after hop-by-hop removal, so a client naming
 * {@code X-Request-Id} in its {@code Connection} header cannot strip it.
 *
 * @author clusterkit
 */
@Component
class UpstreamRequestId implements HttpHeadersFilter, Ordered {

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		String id = exchange.getAttribute(EntryFilter.REPLACED);
		if (id == null) {
			return input;
		}
		// the filters before this one return copies; only the request's own headers are
		// read-only
		HttpHeaders headers = input;
		if (headers == exchange.getRequest().getHeaders()) {
			headers = new HttpHeaders();
			headers.addAll(input);
		}
		headers.set(EntryFilter.HEADER, id);
		return headers;
	}

}
