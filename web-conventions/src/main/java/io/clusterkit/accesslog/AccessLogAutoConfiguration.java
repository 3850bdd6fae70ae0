package io.clusterkit.accesslog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.logging.AccessLog;
import reactor.netty.http.server.logging.AccessLogArgProvider;
import reactor.netty.http.server.logging.AccessLogFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * One access log line per request, for the gateway and the workers alike, when
 * {@code cluster.access-log.enabled} is true (off by default): Reactor Netty writes it
 * once the response is complete, on the logger
 * {@code reactor.netty.http.server.AccessLog} at INFO, with the request's
 * {@code X-Request-Id}, so one id finds a request in every log it crossed. Off, nothing
 * is added to the request path. Actuator paths (health probes, scrapes) are left out:
 * they would drown the traffic.
 *
 * @author clusterkit
 */
@AutoConfiguration
@ConditionalOnClass(HttpServer.class)
@ConditionalOnBooleanProperty(AccessLogAutoConfiguration.ENABLED)
public class AccessLogAutoConfiguration {

	/** The switch. */
	public static final String ENABLED = "cluster.access-log.enabled";

	/** The header that carries a request's id from the client through every hop. */
	public static final String REQUEST_ID_HEADER = "X-Request-Id";

	@Bean
	NettyServerCustomizer accessLogCustomizer() {
		return (server) -> server.accessLog(true, AccessLogFactory.createFilter(
				(args) -> !String.valueOf(args.uri()).startsWith("/actuator"), AccessLogAutoConfiguration::line));
	}

	/**
	 * {@code 127.0.0.1 "GET /api/v1/hello HTTP/1.1" 200 57 3ms request-id=...}; the id
	 * the response carries (the one a gateway gave), else the one the request came with.
	 */
	static AccessLog line(AccessLogArgProvider args) {
		CharSequence id = args.responseHeader(REQUEST_ID_HEADER);
		if (id == null) {
			id = args.requestHeader(REQUEST_ID_HEADER);
		}
		return AccessLog.create("{} \"{} {} {}\" {} {} {}ms request-id={}", host(args.remoteAddress()), args.method(),
				args.uri(), args.protocol(), args.status(), args.contentLength(), args.duration(),
				(id != null) ? id : "-");
	}

	private static String host(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getHostString() : String.valueOf(address);
	}

}
