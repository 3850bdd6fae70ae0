package io.clusterkit.gateway.proxy;

import java.net.URI;
import java.util.List;

import io.clusterkit.gateway.forwarding.ProxyHeaders;
import io.clusterkit.gateway.loadbalancer.Attempts;
import io.clusterkit.gateway.loadreport.LoadReports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends a routed {@code http(s)} request to its instance and leaves the response where
 * {@link NettyWriteResponseFilter} writes it from, in place of Spring Cloud Gateway's
 * {@link NettyRoutingFilter} (taken out in {@link ProxyConfiguration}), with the same
 * behaviour and less work per request:
 * <ul>
 * <li>the client is the gateway's own, configured once, timeouts included
 * ({@code NettyRoutingFilter} copies it to apply a connect timeout);</li>
 * <li>the URL goes to Reactor Netty as the {@link URI} the pick made, not as a string it
 * parses again with a regular expression;</li>
 * <li>the request's headers go straight into the upstream request ({@link ProxyHeaders}),
 * the request id last, where {@code NettyRoutingFilter} has header filters copy them once
 * per filter and then twice more on the way, through the client's configuration and a
 * copy of it;</li>
 * <li>the response's headers go straight from Reactor Netty's into the client's response,
 * not through a view, a filtered copy and a list of their names;</li>
 * <li>it marks the request's {@link Attempts} sent and answered itself, where hooks on
 * the client would look the attempts up in the subscriber context twice per request.</li>
 * </ul>
 * An application's own {@link HttpHeadersFilter} beans still run, after
 * {@link ProxyHeaders}, on a copy as Spring Cloud Gateway gives them one: only then are
 * the headers copied. A WebSocket upgrade is routed before this filter, by Spring Cloud
 * Gateway's {@code WebsocketRoutingFilter}, unchanged.
 *
 * @author clusterkit
 */
final class UpstreamRoutingFilter implements GlobalFilter, Ordered {

	private final ObjectProvider<HttpClient> clientProvider;

	private final ProxyHeaders proxyHeaders;

	private final LoadReports loadReports;

	private final ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider;

	// both looked up at the first request, as NettyRoutingFilter does with its
	// filters: the client needs the web server's settings, which a context without
	// a server lacks
	private volatile @Nullable HttpClient client;

	private volatile @Nullable HeaderFilters headersFilters;

	UpstreamRoutingFilter(ObjectProvider<HttpClient> client, ProxyHeaders proxyHeaders, LoadReports loadReports,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
		this.clientProvider = client;
		this.proxyHeaders = proxyHeaders;
		this.loadReports = loadReports;
		this.headersFiltersProvider = headersFilters;
	}

	@Override
	public int getOrder() {
		return NettyRoutingFilter.ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getRequiredAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		String scheme = url.getScheme();
		if (ServerWebExchangeUtils.isAlreadyRouted(exchange)
				|| (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme))) {
			return chain.filter(exchange);
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		ServerHttpRequest request = exchange.getRequest();
		boolean preserveHost = exchange.getAttributeOrDefault(ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE,
				false);
		List<HttpHeadersFilter> requestFilters = headersFilters().request();
		HttpHeaders filtered = requestFilters.isEmpty() ? null : filteredRequestHeaders(exchange, requestFilters);
		Attempts attempts = Attempts.of(exchange);
		return client().request(HttpMethod.valueOf(request.getMethod().name())).uri(url).send((upstream, outbound) -> {
			writeHeaders(exchange, filtered, upstream.requestHeaders(), preserveHost);
			NettyOutbound body = outbound.send(request.getBody().map(UpstreamRoutingFilter::byteBuf));
			// Reactor Netty ends the request, and starts its response timeout, once
			// the body is all published: a slow upload is not the instance's time
			return (attempts != null) ? body.then(Mono.fromRunnable(attempts::requestSent)) : body;
		}).responseConnection((response, connection) -> {
			if (attempts != null) {
				attempts.responseStarted();
				this.loadReports.answered(attempts, response.status().code(), response.responseHeaders());
			}
			received(exchange, response, connection);
			return Mono.just(response);
		}).then(chain.filter(exchange));
	}

	/**
	 * Reactor Netty has set {@code Host} from the instance's address, and, for a method
	 * that may have a body, chunked framing, before any header was known: a request with
	 * a length keeps its length instead. The request id goes last, so that nothing before
	 * (a client's {@code Connection} header, a header filter) can take it out.
	 */
	private void writeHeaders(ServerWebExchange exchange, @Nullable HttpHeaders filtered,
			io.netty.handler.codec.http.HttpHeaders to, boolean preserveHost) {
		if (filtered == null) {
			this.proxyHeaders.writeRequest(exchange, new HttpHeaders(new Netty4HeadersAdapter(to)), preserveHost);
		}
		else {
			filtered.forEach((name, values) -> {
				if (preserveHost || !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
					to.set(name, values);
				}
			});
		}
		if (to.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			to.remove(HttpHeaderNames.TRANSFER_ENCODING);
		}
		String id = exchange.getAttribute(EntryFilter.REPLACED);
		if (id != null) {
			to.set(EntryFilter.HEADER, id);
		}
	}

	/**
	 * What an application's header filters make of the headers {@link ProxyHeaders}
	 * writes.
	 */
	private HttpHeaders filteredRequestHeaders(ServerWebExchange exchange, List<HttpHeadersFilter> filters) {
		HttpHeaders headers = new HttpHeaders();
		this.proxyHeaders.writeRequest(exchange, headers, true);
		return HttpHeadersFilter.filter(filters, headers, exchange, HttpHeadersFilter.Type.REQUEST);
	}

	/** What {@link NettyWriteResponseFilter} and the response filters read. */
	private void received(ServerWebExchange exchange, HttpClientResponse upstream, Connection connection) {
		exchange.getAttributes().put(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR, upstream);
		exchange.getAttributes().put(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR, connection);
		ServerHttpResponse response = exchange.getResponse();
		io.netty.handler.codec.http.HttpHeaders headers = upstream.responseHeaders();
		String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
		if (contentType != null && !contentType.isEmpty()) {
			exchange.getAttributes().put(ServerWebExchangeUtils.ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR, contentType);
		}
		response.setStatusCode(HttpStatusCode.valueOf(upstream.status().code()));
		List<HttpHeadersFilter> responseFilters = headersFilters().response();
		if (responseFilters.isEmpty()) {
			ProxyHeaders.writeResponse(headers, response.getHeaders());
			exchange.getAttributes()
				.put(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES, ProxyHeaders.responseHeaderNames(headers));
			return;
		}
		// after the status: response header filters may read it
		HttpHeaders filtered = new HttpHeaders();
		ProxyHeaders.writeResponse(headers, filtered);
		filtered = HttpHeadersFilter.filter(responseFilters, filtered, exchange, HttpHeadersFilter.Type.RESPONSE);
		if (!filtered.containsHeader(HttpHeaders.TRANSFER_ENCODING)
				&& filtered.containsHeader(HttpHeaders.CONTENT_LENGTH)) {
			response.getHeaders().remove(HttpHeaders.TRANSFER_ENCODING);
		}
		exchange.getAttributes().put(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES, filtered.headerNames());
		response.getHeaders().addAll(filtered);
	}

	private HttpClient client() {
		HttpClient client = this.client;
		if (client == null) {
			client = this.clientProvider.getObject();
			this.client = client;
		}
		return client;
	}

	private HeaderFilters headersFilters() {
		HeaderFilters filters = this.headersFilters;
		if (filters == null) {
			filters = HeaderFilters.of(this.headersFiltersProvider.getIfAvailable(List::of));
			this.headersFilters = filters;
		}
		return filters;
	}

	/** The header filters of each way: usually none, an application's own if any. */
	private record HeaderFilters(List<HttpHeadersFilter> request, List<HttpHeadersFilter> response) {

		static HeaderFilters of(List<HttpHeadersFilter> filters) {
			return new HeaderFilters(supporting(filters, HttpHeadersFilter.Type.REQUEST),
					supporting(filters, HttpHeadersFilter.Type.RESPONSE));
		}

		private static List<HttpHeadersFilter> supporting(List<HttpHeadersFilter> filters,
				HttpHeadersFilter.Type type) {
			return filters.stream().filter((filter) -> filter.supports(type)).toList();
		}

	}

	private static ByteBuf byteBuf(DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		if (buffer instanceof DefaultDataBuffer heap) {
			return Unpooled.wrappedBuffer(heap.getNativeBuffer());
		}
		throw new IllegalArgumentException("Unable to handle DataBuffer of type " + buffer.getClass());
	}

}
