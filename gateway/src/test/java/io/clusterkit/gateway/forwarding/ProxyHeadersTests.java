package io.clusterkit.gateway.forwarding;

import java.net.InetSocketAddress;
import java.util.List;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyHeadersTests {

	static final TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8"), "key");

	final ProxyHeaders headers = new ProxyHeaders(trusted, new ClientAddress(trusted));

	@Test
	void shouldLeaveHopByHopAndConnectionNamedHeadersBehind() {
		MockServerWebExchange exchange = exchange("203.0.113.9", "Connection", "keep-alive, X-Secret, close",
				"X-Secret", "s", "KEEP-ALIVE", "timeout=5", "Proxy-Connection", "keep-alive", "TE", "trailers",
				"Trailer", "X-T", "Upgrade", "h2c", "Proxy-Authorization", "Basic x", "Accept", "text/plain");
		HttpHeaders sent = request(exchange);
		assertThat(sent.headerNames()).containsExactlyInAnyOrder("Accept", "Host", "X-Forwarded-For",
				"X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Forwarded");
	}

	@Test
	void shouldDropContentLengthBesideTransferEncoding() {
		MockServerWebExchange exchange = exchange("203.0.113.9", "Transfer-Encoding", "chunked", "Content-Length", "5");
		HttpHeaders sent = request(exchange);
		assertThat(sent.containsHeader("Content-Length")).isFalse();
		assertThat(sent.containsHeader("Transfer-Encoding")).as("the client framing is the client's").isFalse();
	}

	@Test
	void shouldReplaceTheChainOfAnUntrustedPeer() {
		MockServerWebExchange exchange = exchange("203.0.113.9", "X-Forwarded-For", "1.2.3.4", "x-forwarded-prefix",
				"/evil", "Forwarded", "for=1.2.3.4");
		HttpHeaders sent = request(exchange);
		assertThat(sent.get("X-Forwarded-For")).containsExactly("203.0.113.9");
		assertThat(sent.containsHeader("X-Forwarded-Prefix")).isFalse();
		assertThat(sent.get("Forwarded")).containsExactly("for=203.0.113.9;host=\"shop.example\";proto=http");
	}

	@Test
	void shouldAppendToTheChainOfATrustedPeer() {
		MockServerWebExchange exchange = exchange("10.1.1.1", "X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto",
				"https", "Forwarded", "for=1.2.3.4;proto=https");
		HttpHeaders sent = request(exchange);
		assertThat(sent.get("X-Forwarded-For")).containsExactly("1.2.3.4, 10.1.1.1");
		assertThat(sent.get("X-Forwarded-Proto")).containsExactly("https");
		assertThat(sent.get("Forwarded")).containsExactly(
				"for=1.2.3.4;host=\"shop.example\";proto=https, for=10.1.1.1;host=\"shop.example\";proto=http");
	}

	@Test
	void shouldStartTheChainAtTheClientTheTrustedHopsName() {
		MockServerWebExchange exchange = exchange("10.1.1.1", "X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.2.2.2",
				"Forwarded", "for=6.6.6.6");
		HttpHeaders sent = request(exchange);
		assertThat(sent.get("X-Forwarded-For")).containsExactly("1.2.3.4, 10.2.2.2, 10.1.1.1");
		assertThat(sent.get("Forwarded")).containsExactly(
				"for=1.2.3.4;host=\"shop.example\";proto=http, for=10.2.2.2, for=10.1.1.1;host=\"shop.example\";proto=http");
	}

	@Test
	void shouldDropClaimsOfAddressOrPathAndKeepTheRequestId() {
		MockServerWebExchange exchange = exchange("203.0.113.9", "X-Real-IP", "1.2.3.4", "True-Client-IP", "1.2.3.4",
				"X-Original-URL", "/admin", "X-Rewrite-URL", "/admin", "X-Request-Id", "abc", "Connection",
				"X-Request-Id");
		HttpHeaders sent = request(exchange);
		assertThat(sent.headerNames()).doesNotContain("X-Real-IP", "True-Client-IP", "X-Original-URL", "X-Rewrite-URL");
		assertThat(sent.get("X-Request-Id")).containsExactly("abc");
	}

	@Test
	void shouldQuoteIpv6PeersAndEscapeTheHost() {
		assertThat(ProxyHeaders.element(TrustedProxiesTests.address("2001:db8::7"), "a\"b", "http"))
			.isEqualTo("for=\"[2001:db8:0:0:0:0:0:7]\";host=\"a\\\"b\";proto=http");
	}

	@Test
	void shouldWriteTheHostOnlyWhenAsked() {
		MockServerWebExchange exchange = exchange("203.0.113.9");
		HttpHeaders sent = new HttpHeaders();
		this.headers.writeRequest(exchange, sent, false);
		assertThat(sent.containsHeader("Host")).isFalse();
		assertThat(sent.get("X-Forwarded-Host")).containsExactly("shop.example");
	}

	@Test
	void shouldStripHopByHopFromResponsesAndAddNothing() {
		io.netty.handler.codec.http.HttpHeaders upstream = new DefaultHttpHeaders();
		upstream.add("Connection", "X-Internal");
		upstream.add("X-Internal", "1");
		upstream.add("Keep-Alive", "timeout=60");
		upstream.add("Transfer-Encoding", "chunked");
		upstream.add("Content-Type", "application/json");
		upstream.add("X-Forwarded-For", "kept on a response");
		upstream.add("Set-Cookie", "a=1");
		upstream.add("Set-Cookie", "b=2");
		HttpHeaders response = new HttpHeaders();
		response.add("X-Request-Id", "abc");
		ProxyHeaders.writeResponse(upstream, response);
		assertThat(response.headerNames()).containsExactlyInAnyOrder("X-Request-Id", "Content-Type", "X-Forwarded-For",
				"Set-Cookie");
		assertThat(response.get("Set-Cookie")).containsExactly("a=1", "b=2");
		assertThat(ProxyHeaders.responseHeaderNames(upstream)).as("what a retry takes out again")
			.containsExactlyInAnyOrder("Content-Type", "X-Forwarded-For", "Set-Cookie");
	}

	private HttpHeaders request(MockServerWebExchange exchange) {
		HttpHeaders sent = new HttpHeaders();
		this.headers.writeRequest(exchange, sent, true);
		return sent;
	}

	private static MockServerWebExchange exchange(String peer, String... headers) {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("http://shop.example/api/v1/hello")
			.remoteAddress(new InetSocketAddress(peer, 40000))
			.localAddress(new InetSocketAddress("127.0.0.1", 8080))
			.header("Host", "shop.example");
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return MockServerWebExchange.from(request);
	}

}
