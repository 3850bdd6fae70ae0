package io.clusterkit.gateway.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may tell the gateway where a request came from. A peer in {@code trustedProxies} (a
 * load balancer or ingress in front of the gateway) has its {@code X-Forwarded-*} and
 * {@code Forwarded} headers kept and extended; any other peer's are dropped and replaced,
 * so a client cannot choose the address the workers (and the rate limiter) see.
 *
 * @param trustedProxies addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1},
 * {@code fd00::/8}) of the proxies in front of the gateway; empty (the default) trusts
 * none
 * @param proxyProtocol whether connections from trusted proxies (a layer-4 balancer) may
 * start with a PROXY protocol header, v1 or v2, naming the client they carry: that
 * address is then the client's, as if it had connected itself. A connection from anyone
 * else that starts with one is closed. Needs {@code trusted-proxies}
 * @author clusterkit
 */
@ConfigurationProperties(ForwardingProperties.PREFIX)
public record ForwardingProperties(@DefaultValue List<String> trustedProxies,
		@DefaultValue("false") boolean proxyProtocol) {

	/** Prefix of the forwarding settings. */
	public static final String PREFIX = "cluster.forwarding";

	public ForwardingProperties {
		trustedProxies = List.copyOf(trustedProxies);
	}

}
