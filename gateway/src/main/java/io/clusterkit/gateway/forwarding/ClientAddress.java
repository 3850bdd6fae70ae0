package io.clusterkit.gateway.forwarding;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * The address of the client a request comes from. Without trusted proxies it is the TCP
 * peer. When the peer is a trusted proxy, {@code X-Forwarded-For} is read from the right,
 * skipping every hop that is itself trusted: the first untrusted hop is the client, as
 * nginx's {@code real_ip_recursive} and HAProxy do. Entries left of it were written by
 * someone nobody vouches for and are never believed.
 *
 * @author clusterkit
 */
public final class ClientAddress {

	private static final String ATTRIBUTE = ClientAddress.class.getName();

	private static final String X_FORWARDED_FOR = "X-Forwarded-For";

	private final TrustedProxies trusted;

	public ClientAddress(TrustedProxies trusted) {
		this.trusted = trusted;
	}

	/**
	 * The client of an exchange, resolved once and kept with it.
	 * @param exchange the exchange
	 * @return the client's address, {@code null} when the connection has none (not a TCP
	 * connection)
	 */
	public @Nullable InetAddress of(ServerWebExchange exchange) {
		InetAddress known = exchange.getAttribute(ATTRIBUTE);
		if (known != null) {
			return known;
		}
		InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
		if (peer == null || peer.getAddress() == null) {
			return null;
		}
		InetAddress client = resolve(peer.getAddress(), exchange.getRequest().getHeaders().get(X_FORWARDED_FOR));
		exchange.getAttributes().put(ATTRIBUTE, client);
		return client;
	}

	/**
	 * The client behind a peer.
	 * @param peer the TCP peer
	 * @param forwardedFor the values of {@code X-Forwarded-For}, in order, or
	 * {@code null}
	 * @return the client's address
	 */
	InetAddress resolve(InetAddress peer, @Nullable List<String> forwardedFor) {
		List<InetAddress> hops = trustedHops(peer, forwardedFor);
		return hops.isEmpty() ? peer : hops.get(0);
	}

	/**
	 * The part of {@code X-Forwarded-For} somebody vouches for: from the client (the
	 * first untrusted hop from the right) to the hop before the peer, left to right.
	 * Entries left of the client, and anything sent by an untrusted peer, are dropped.
	 * @param peer the TCP peer
	 * @param forwardedFor the values of {@code X-Forwarded-For}, in order, or
	 * {@code null}
	 * @return the hops, empty when the peer is the client
	 */
	List<InetAddress> trustedHops(InetAddress peer, @Nullable List<String> forwardedFor) {
		if (forwardedFor == null || !this.trusted.contains(peer)) {
			return List.of();
		}
		ArrayDeque<InetAddress> hops = new ArrayDeque<>();
		for (int v = forwardedFor.size() - 1; v >= 0; v--) {
			String value = forwardedFor.get(v);
			int end = value.length();
			while (end > 0) {
				int comma = value.lastIndexOf(',', end - 1);
				InetAddress hop = parse(value.substring(comma + 1, end).trim());
				if (hop == null) {
					// a hop no one can read: the last one that could be read is all we
					// know
					return List.copyOf(hops);
				}
				hops.addFirst(hop);
				if (!this.trusted.contains(hop)) {
					return List.copyOf(hops);
				}
				end = comma;
			}
		}
		return List.copyOf(hops);
	}

	/** An address as proxies write it: bare, bracketed IPv6, or either with a port. */
	static @Nullable InetAddress parse(String hop) {
		String address = hop;
		if (hop.startsWith("[")) {
			int close = hop.indexOf(']');
			address = (close > 0) ? hop.substring(1, close) : hop;
		}
		else if (hop.indexOf(':') == hop.lastIndexOf(':') && hop.indexOf(':') > 0) {
			address = hop.substring(0, hop.indexOf(':'));
		}
		return NetUtil.createInetAddressFromIpAddressString(address);
	}

}
