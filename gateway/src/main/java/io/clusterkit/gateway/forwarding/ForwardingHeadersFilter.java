package io.clusterkit.gateway.forwarding;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import io.clusterkit.gateway.proxy.UpstreamHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the upstream where a request came from, in {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port} and RFC
 * 7239 {@code Forwarded}. From a trusted proxy the incoming chain is kept and this hop
 * appended; from anyone else the incoming values are dropped and the gateway writes its
 * own, starting at the TCP peer. Spring Cloud Gateway's own filters, without trusted
 * proxies configured, drop these headers and write none, so workers would see only the
 * gateway's address.
 * <p>
 * Ordered last among the header filters, after hop-by-hop removal: a client naming
 * {@code X-Forwarded-For} in its {@code Connection} header must not strip what the
 * gateway writes.
 *
 * @author clusterkit
 */
final class ForwardingHeadersFilter implements HttpHeadersFilter, Ordered {

	static final String X_FORWARDED_FOR = "X-Forwarded-For";

	static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";

	static final String X_FORWARDED_HOST = "X-Forwarded-Host";

	static final String X_FORWARDED_PORT = "X-Forwarded-Port";

	static final String FORWARDED = "Forwarded";

	private final TrustedProxies trusted;

	ForwardingHeadersFilter(TrustedProxies trusted) {
		this.trusted = trusted;
	}

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
		ServerHttpRequest request = exchange.getRequest();
		InetSocketAddress peer = request.getRemoteAddress();
		if (peer == null || peer.getAddress() == null) {
			return input;
		}
		HttpHeaders incoming = request.getHeaders();
		HttpHeaders out = UpstreamHeaders.writable(input, exchange);
		boolean fromTrustedProxy = this.trusted.contains(peer.getAddress());
		String proto = request.getURI().getScheme();
		String host = incoming.getFirst(HttpHeaders.HOST);
		String port = Integer.toString(
				(request.getLocalAddress() != null) ? request.getLocalAddress().getPort() : request.getURI().getPort());

		String peerAddress = peer.getAddress().getHostAddress();
		out.set(X_FORWARDED_FOR, chain(fromTrustedProxy, incoming.get(X_FORWARDED_FOR), peerAddress));
		out.set(X_FORWARDED_PROTO, keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_PROTO), proto));
		setOrRemove(out, X_FORWARDED_HOST, keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_HOST), host));
		out.set(X_FORWARDED_PORT, keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_PORT), port));
		out.set(FORWARDED, chain(fromTrustedProxy, incoming.get(FORWARDED), element(peer.getAddress(), host, proto)));
		return out;
	}

	private static String chain(boolean keep, @Nullable List<String> before, String hop) {
		if (!keep || before == null || before.isEmpty()) {
			return hop;
		}
		return String.join(", ", before) + ", " + hop;
	}

	private static @Nullable String keptOr(boolean keep, @Nullable String before, @Nullable String own) {
		return (keep && before != null) ? before : own;
	}

	private static void setOrRemove(HttpHeaders headers, String name, @Nullable String value) {
		if (value != null) {
			headers.set(name, value);
		}
		else {
			headers.remove(name);
		}
	}

	/** One RFC 7239 element: {@code for=192.0.2.7;host="example.com:8080";proto=http}. */
	static String element(InetAddress peer, @Nullable String host, String proto) {
		StringBuilder element = new StringBuilder(64).append("for=");
		if (peer instanceof Inet6Address) {
			element.append("\"[").append(peer.getHostAddress()).append("]\"");
		}
		else {
			element.append(peer.getHostAddress());
		}
		if (host != null) {
			element.append(";host=\"");
			for (int i = 0; i < host.length(); i++) {
				char c = host.charAt(i);
				if (c == '"' || c == '\\') {
					element.append('\\');
				}
				element.append(c);
			}
			element.append('"');
		}
		return element.append(";proto=").append(proto).toString();
	}

}
