package io.clusterkit.gateway.proxy;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * For header filters that add to what goes upstream.
 *
 * @author clusterkit
 */
public final class UpstreamHeaders {

	private UpstreamHeaders() {
	}

	/**
	 * The headers a filter may change: the input itself, since every header filter before
	 * it returns a fresh copy, unless it is still the request's own, read-only headers.
	 * @param input the headers handed to the filter
	 * @param exchange the exchange they belong to
	 * @return headers that may be changed
	 */
	public static HttpHeaders writable(HttpHeaders input, ServerWebExchange exchange) {
		if (input != exchange.getRequest().getHeaders()) {
			return input;
		}
		HttpHeaders copy = new HttpHeaders();
		copy.addAll(input);
		return copy;
	}

}
