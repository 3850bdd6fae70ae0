package io.clusterkit.gateway.forwarding;

import java.net.InetSocketAddress;
import java.util.List;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker learns of the client, seen through its {@code /api/v1/whoami}: clients
 * connect from their own loopback addresses ({@code 127.0.0.2} untrusted,
 * {@code 127.0.0.3} a trusted proxy), so the gateway's peer is never the gateway's own
 * address.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.forwarding.trusted-proxies=127.0.0.3, 10.0.0.0/8" })
@DirtiesContext
class ForwardingIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	KeyResolver keyResolver;

	@Test
	void shouldReplaceTheChainAnUntrustedClientSent() {
		JsonNode seen = whoami("127.0.0.2", "Host: shop.example", "X-Forwarded-For: 203.0.113.9",
				"Forwarded: for=203.0.113.9", "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https",
				"X-Forwarded-Port: 443");
		assertThat(seen.path("client").asString()).isEqualTo("127.0.0.2");
		assertThat(header(seen, "x-forwarded-for")).containsExactly("127.0.0.2");
		assertThat(header(seen, "forwarded")).containsExactly("for=127.0.0.2;host=\"shop.example\";proto=http");
		assertThat(header(seen, "x-forwarded-host")).containsExactly("shop.example");
		assertThat(header(seen, "x-forwarded-proto")).containsExactly("http");
		assertThat(header(seen, "x-forwarded-port")).containsExactly(Integer.toString(this.port));
	}

	@Test
	void shouldAppendToTheChainOfATrustedProxy() {
		JsonNode seen = whoami("127.0.0.3", "Host: shop.example", "X-Forwarded-For: 203.0.113.9, 10.1.2.3",
				"Forwarded: for=203.0.113.9", "X-Forwarded-Proto: https", "X-Forwarded-Host: www.shop.example");
		assertThat(header(seen, "x-forwarded-for")).containsExactly("203.0.113.9, 10.1.2.3, 127.0.0.3");
		assertThat(header(seen, "forwarded")).containsExactly("for=203.0.113.9;host=\"www.shop.example\";proto=https, "
				+ "for=10.1.2.3, for=127.0.0.3;host=\"shop.example\";proto=http");
		assertThat(header(seen, "x-forwarded-proto")).containsExactly("https");
		assertThat(header(seen, "x-forwarded-host")).containsExactly("www.shop.example");
		// the worker reads the leftmost entry: the client the trusted chain names
		assertThat(seen.path("client").asString()).isEqualTo("203.0.113.9");
	}

	@Test
	void shouldMakeWorkersSeeTheClientTheGatewaySees() {
		// a proxy that sends only X-Forwarded-For
		assertThat(whoami("127.0.0.3", "Host: shop.example", "X-Forwarded-For: 203.0.113.9").path("client").asString())
			.isEqualTo("203.0.113.9");
		// a client's own Forwarded and a forged leftmost entry, passed on by a trusted
		// proxy
		JsonNode forged = whoami("127.0.0.3", "Host: shop.example", "Forwarded: for=198.51.100.66",
				"X-Forwarded-For: 198.51.100.66, 203.0.113.9");
		assertThat(forged.path("client").asString()).isEqualTo("203.0.113.9");
		assertThat(header(forged, "x-forwarded-for")).containsExactly("203.0.113.9, 127.0.0.3");
	}

	@Test
	void shouldPassTheClientsRequestIdEvenWhenConnectionNamesIt() {
		JsonNode seen = whoami("127.0.0.2", "Host: shop.example", "Connection: X-Request-Id",
				"X-Request-Id: 0f8fad5b-d9cb-469f-a165-70867728950e");
		assertThat(header(seen, "x-request-id")).containsExactly("0f8fad5b-d9cb-469f-a165-70867728950e");
	}

	@Test
	void shouldNotPassClaimsOfAddressOrPath() {
		JsonNode headers = whoami("127.0.0.3", "Host: shop.example", "X-Real-IP: 1.2.3.4", "True-Client-IP: 1.2.3.4",
				"X-Original-URL: /actuator", "X-Rewrite-URL: /actuator")
			.path("headers");
		assertThat(headers.has("x-real-ip")).isFalse();
		assertThat(headers.has("true-client-ip")).isFalse();
		assertThat(headers.has("x-original-url")).isFalse();
		assertThat(headers.has("x-rewrite-url")).isFalse();
	}

	@Test
	void shouldSendTheWorkerItsOwnHostAndNoHopByHopHeaders() {
		JsonNode seen = whoami("127.0.0.2", "Host: shop.example",
				"Connection: keep-alive, X-Secret, X-Forwarded-For, X-Request-Id", "X-Secret: hunter2",
				"Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "TE: trailers",
				"Proxy-Authorization: Basic Zm9vOmJhcg==", "Upgrade: h2c");
		assertThat(seen.path("host").asString()).isEqualTo("127.0.0.1:" + workers.port(0));
		JsonNode headers = seen.path("headers");
		assertThat(headers.has("x-secret")).isFalse();
		assertThat(headers.has("keep-alive")).isFalse();
		assertThat(headers.has("proxy-connection")).isFalse();
		assertThat(headers.has("te")).isFalse();
		assertThat(headers.has("proxy-authorization")).isFalse();
		assertThat(headers.has("upgrade")).isFalse();
		// naming it in Connection does not strip what the gateway writes
		assertThat(header(seen, "x-forwarded-for")).containsExactly("127.0.0.2");
		assertThat(header(seen, "x-request-id")).singleElement().asString().hasSize(36);
	}

	@Test
	void shouldWriteHeadersInOnePassWithoutSpringCloudGatewaysFilterCopies(
			@Autowired ObjectProvider<HttpHeadersFilter> filters) {
		// none left, so ProxyHeaders writes straight into the upstream request
		assertThat(filters.stream()).isEmpty();
	}

	@Test
	void shouldKeySpringCloudGatewaysRateLimiterByTheClientAddress() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/hello")
			.remoteAddress(new InetSocketAddress("127.0.0.3", 40000))
			.header("X-Forwarded-For", "198.51.100.1, 10.9.9.9"));
		assertThat(this.keyResolver.resolve(exchange).block()).isEqualTo("198.51.100.1");
	}

	private JsonNode whoami(String from, String... headers) {
		try (RawHttp connection = RawHttp.connect(from, this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head("GET /api/v1/whoami HTTP/1.1", headers));
			assertThat(response.status()).isEqualTo(200);
			return json.readTree(response.body());
		}
	}

	private static List<String> header(JsonNode whoami, String name) {
		return whoami.path("headers").path(name).valueStream().map(JsonNode::asString).toList();
	}

}
