package io.clusterkit.gateway.forwarding;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.clusterkit.accesslog.AccessLogAutoConfiguration;
import io.clusterkit.gateway.loadreport.LoadReports;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * The headers a proxied request and its response carry across the gateway, written in one
 * pass from where they come from to where they go:
 * <ul>
 * <li>hop-by-hop headers stay behind, both ways: {@link #HOP_BY_HOP} and whatever the
 * {@code Connection} header names (RFC 9110, section 7.6.1);</li>
 * <li>a request with {@code Transfer-Encoding} goes on without {@code Content-Length}
 * (RFC 9112, section 6.1: the pair is how requests are smuggled);</li>
 * <li>the upstream learns where the request came from, in {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port} and RFC
 * 7239 {@code Forwarded}: from a trusted proxy the part of the incoming
 * {@code X-Forwarded-For} chain that trusted hops vouch for is kept, starting at the
 * client {@link ClientAddress} resolves, and this hop appended; from anyone else the
 * incoming values are dropped and the gateway writes its own, starting at the TCP peer.
 * {@code Forwarded} is written from the same chain, never passed on, so a worker reading
 * the leftmost entry of either header sees the client the gateway (and its rate limit)
 * sees;</li>
 * <li>headers that claim a client address or a path ({@code X-Real-IP},
 * {@code True-Client-IP}, {@code X-Client-IP}, {@code X-Original-URL},
 * {@code X-Rewrite-URL}) never reach the upstream as a client wrote them.</li>
 * </ul>
 * It replaces four of Spring Cloud Gateway's header filters (see
 * {@link ForwardingConfiguration}), each of which copied every header once more per
 * request (~10 % of the proxy's CPU in a profile), and whose forwarding filters, without
 * trusted proxies configured, drop these headers and write none, so workers would see
 * only the gateway's address. It is not a filter of that kind itself: such a filter
 * returns a copy, which the routing filter then copies into the upstream request, where
 * this writes into the upstream request (or the client's response) directly. The
 * {@code Connection} header is read from the request as it came, so a client naming
 * {@code X-Forwarded-For} there strips nothing the gateway writes, and naming
 * {@code X-Request-Id} does not strip the id.
 *
 * @author clusterkit
 */
public final class ProxyHeaders {

	/**
	 * Meaningful for one connection only (RFC 9110, section 7.6.1, and proxies' own), and
	 * an instance's load report, which is for the gateway.
	 */
	static final Set<String> HOP_BY_HOP = caseInsensitive("Connection", "Keep-Alive", "Proxy-Connection",
			"Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
			LoadReports.HEADER);

	static final String X_FORWARDED_FOR = "X-Forwarded-For";

	static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";

	static final String X_FORWARDED_HOST = "X-Forwarded-Host";

	static final String X_FORWARDED_PORT = "X-Forwarded-Port";

	static final String FORWARDED = "Forwarded";

	/** Client-written claims of an address or a path that some servers believe. */
	static final Set<String> CLAIMS = caseInsensitive("X-Real-IP", "True-Client-IP", "X-Client-IP", "X-Original-URL",
			"X-Rewrite-URL");

	/** End to end whatever the Connection header says: the request's id. */
	static final Set<String> END_TO_END = caseInsensitive(AccessLogAutoConfiguration.REQUEST_ID_HEADER);

	private final TrustedProxies trusted;

	private final ClientAddress clientAddress;

	ProxyHeaders(TrustedProxies trusted, ClientAddress clientAddress) {
		this.trusted = trusted;
		this.clientAddress = clientAddress;
	}

	/**
	 * Writes into {@code upstream} the request's headers as its instance should see them:
	 * without hop-by-hop headers and client claims, with the forwarding headers of this
	 * hop. {@code Host} is written only if {@code withHost}.
	 */
	public void writeRequest(ServerWebExchange exchange, HttpHeaders upstream, boolean withHost) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders incoming = request.getHeaders();
		Set<String> named = connectionOptions(incoming.get(HttpHeaders.CONNECTION));
		incoming.forEach((name, values) -> {
			if (passes(name, named, true) && (withHost || !HttpHeaders.HOST.equalsIgnoreCase(name))) {
				upstream.put(name, values);
			}
		});
		if (incoming.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			upstream.remove(HttpHeaders.CONTENT_LENGTH);
		}
		writeForwarding(request, incoming, upstream);
	}

	/**
	 * Adds to {@code response} the headers of an instance's response, but for hop-by-hop
	 * ones: read from Reactor Netty's headers as they are, not through a copy or a view
	 * that would first gather their names.
	 */
	public static void writeResponse(io.netty.handler.codec.http.HttpHeaders upstream, HttpHeaders response) {
		Set<String> named = connectionOptions(upstream.getAll(HttpHeaders.CONNECTION));
		Iterator<Map.Entry<String, String>> headers = upstream.iteratorAsString();
		while (headers.hasNext()) {
			Map.Entry<String, String> header = headers.next();
			if (passes(header.getKey(), named, false)) {
				response.add(header.getKey(), header.getValue());
			}
		}
	}

	/**
	 * The names {@link #writeResponse} adds, worked out only when asked: Spring Cloud
	 * Gateway asks only to take them out again, before a retry.
	 */
	public static Set<String> responseHeaderNames(io.netty.handler.codec.http.HttpHeaders upstream) {
		return new AbstractSet<>() {

			@Override
			public Iterator<String> iterator() {
				return names().iterator();
			}

			@Override
			public int size() {
				return names().size();
			}

			private Set<String> names() {
				Set<String> named = connectionOptions(upstream.getAll(HttpHeaders.CONNECTION));
				Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
				for (String name : upstream.names()) {
					if (passes(name, named, false)) {
						names.add(name);
					}
				}
				return names;
			}

		};
	}

	private void writeForwarding(ServerHttpRequest request, HttpHeaders incoming, HttpHeaders out) {
		InetSocketAddress peer = request.getRemoteAddress();
		if (peer == null || peer.getAddress() == null) {
			return;
		}
		boolean fromTrustedProxy = this.trusted.contains(peer.getAddress());
		String proto = request.getURI().getScheme();
		String host = incoming.getFirst(HttpHeaders.HOST);
		String port = Integer.toString(
				(request.getLocalAddress() != null) ? request.getLocalAddress().getPort() : request.getURI().getPort());

		String peerAddress = peer.getAddress().getHostAddress();
		String forwardedProto = keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_PROTO), proto);
		String forwardedHost = keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_HOST), host);
		String ownElement = element(peer.getAddress(), host, proto);
		List<InetAddress> hops = this.clientAddress.trustedHops(peer.getAddress(), incoming.get(X_FORWARDED_FOR));
		if (hops.isEmpty()) {
			out.set(X_FORWARDED_FOR, peerAddress);
			out.set(FORWARDED, ownElement);
		}
		else {
			// the client's element says what it asked the first proxy for: workers read
			// it
			StringBuilder forwardedFor = new StringBuilder(64);
			StringBuilder forwarded = new StringBuilder(128)
				.append(element(hops.get(0), forwardedHost, forwardedProto));
			for (int i = 0; i < hops.size(); i++) {
				forwardedFor.append(hops.get(i).getHostAddress()).append(", ");
				if (i > 0) {
					appendFor(forwarded.append(", "), hops.get(i));
				}
			}
			out.set(X_FORWARDED_FOR, forwardedFor.append(peerAddress).toString());
			out.set(FORWARDED, forwarded.append(", ").append(ownElement).toString());
		}
		out.set(X_FORWARDED_PROTO, forwardedProto);
		if (forwardedHost != null) {
			out.set(X_FORWARDED_HOST, forwardedHost);
		}
		out.set(X_FORWARDED_PORT, keptOr(fromTrustedProxy, incoming.getFirst(X_FORWARDED_PORT), port));
	}

	/**
	 * Whether a header goes on: not hop-by-hop, not named by {@code Connection} (unless
	 * end to end whatever it says), and on a request not a forwarding header (this hop
	 * writes its own) or a claim. Names are compared case-insensitively, without
	 * lower-casing copies of them.
	 */
	private static boolean passes(String name, @Nullable Set<String> named, boolean request) {
		return !HOP_BY_HOP.contains(name) && (named == null || !named.contains(name) || END_TO_END.contains(name))
				&& (!request || !(isForwarding(name) || CLAIMS.contains(name)));
	}

	/** The names the Connection header lists beyond the usual hop-by-hop ones, if any. */
	private static @Nullable Set<String> connectionOptions(@Nullable List<String> values) {
		if (values == null || values.isEmpty()) {
			return null;
		}
		Set<String> named = null;
		for (String value : values) {
			for (String option : StringUtils.tokenizeToStringArray(value, ",")) {
				if (!HOP_BY_HOP.contains(option) && !"close".equalsIgnoreCase(option)) {
					named = (named != null) ? named : new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
					named.add(option);
				}
			}
		}
		return named;
	}

	private static boolean isForwarding(String name) {
		return name.equalsIgnoreCase(FORWARDED) || name.regionMatches(true, 0, "X-Forwarded-", 0, 12);
	}

	private static Set<String> caseInsensitive(String... names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(List.of(names));
		return Collections.unmodifiableSet(set);
	}

	private static @Nullable String keptOr(boolean keep, @Nullable String before, @Nullable String own) {
		return (keep && before != null) ? before : own;
	}

	/** One RFC 7239 element: {@code for=192.0.2.7;host="example.com:8080";proto=http}. */
	static String element(InetAddress peer, @Nullable String host, String proto) {
		StringBuilder element = appendFor(new StringBuilder(64), peer);
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

	/**
	 * {@code for=192.0.2.7}, or {@code for="[2001:db8::7]"}: IPv6 quoted, as RFC 7239
	 * asks.
	 */
	private static StringBuilder appendFor(StringBuilder element, InetAddress address) {
		element.append("for=");
		if (address instanceof Inet6Address) {
			return element.append("\"[").append(address.getHostAddress()).append("]\"");
		}
		return element.append(address.getHostAddress());
	}

}
