package io.clusterkit.gateway.tls;

import io.clusterkit.gateway.config.TlsProperties;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * {@code Strict-Transport-Security} on every response of a public port that speaks TLS,
 * as nginx's {@code add_header ... always} or Spring Security's HSTS writer would: set
 * before anything else runs, so problems the gateway answers carry it too. The instances'
 * own response headers are added after it, never replacing it.
 *
 * @author clusterkit
 */
class StrictTransportSecurityFilter implements WebFilter, Ordered {

	static final String HEADER = "Strict-Transport-Security";

	private final String value;

	StrictTransportSecurityFilter(TlsProperties properties) {
		this.value = "max-age=" + properties.hstsMaxAge().toSeconds()
				+ (properties.hstsIncludeSubdomains() ? "; includeSubDomains" : "");
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		exchange.getResponse().getHeaders().set(HEADER, this.value);
		return chain.filter(exchange);
	}

}
