package io.clusterkit.gateway.proxy;

import java.util.List;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application's own {@link HttpHeadersFilter} beans, Spring Cloud Gateway's extension
 * point for the headers that cross the proxy: they still run, after the gateway's own
 * header work and before the request id is written, on requests and responses alike.
 * Without any (the default, every other test), the headers skip this copy.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@DirtiesContext
class ApplicationHeaderFiltersIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Test
	void shouldRunAnApplicationsHeaderFiltersAfterTheGatewaysOwn() {
		try (RawHttp connection = RawHttp.connect("127.0.0.2", this.port)) {
			RawHttp.Response response = connection
				.exchange(RawHttp.head("GET /api/v1/whoami HTTP/1.1", "Host: shop.example", "X-Drop: me",
						"Connection: keep-alive, X-Request-Id", "X-Request-Id: bad id"));
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("X-Filtered")).as("the response filter ran").isEqualTo("response");
			assertThat(response.header("Content-Type")).startsWith("application/json");
			JsonNode seen = json.readTree(response.body());
			assertThat(header(seen, "x-filtered")).containsExactly("request");
			assertThat(seen.path("headers").has("x-drop")).isFalse();
			// the filter saw the gateway's result: the forwarding headers and the
			// worker's own Host
			assertThat(header(seen, "x-forwarded-for-seen")).containsExactly("127.0.0.2");
			assertThat(seen.path("host").asString()).isEqualTo("127.0.0.1:" + workers.port(0));
			// the id the gateway made for a malformed one is written last
			assertThat(header(seen, "x-request-id")).singleElement().asString().hasSize(36);
		}
	}

	private static List<String> header(JsonNode whoami, String name) {
		return whoami.path("headers").path(name).valueStream().map(JsonNode::asString).toList();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class HeaderFilters {

		@Bean
		HttpHeadersFilter applicationHeaders() {
			return new HttpHeadersFilter() {

				@Override
				public HttpHeaders filter(HttpHeaders input,
						org.springframework.web.server.ServerWebExchange exchange) {
					HttpHeaders output = new HttpHeaders();
					output.addAll(input);
					if (output.containsHeader("X-Forwarded-For")) {
						output.remove("X-Drop");
						output.set("X-Filtered", "request");
						output.set("X-Forwarded-For-Seen", input.getFirst("X-Forwarded-For"));
						output.set("X-Request-Id", "from the filter");
					}
					else {
						output.set("X-Filtered", "response");
					}
					return output;
				}

				@Override
				public boolean supports(Type type) {
					return true;
				}

			};
		}

	}

}
