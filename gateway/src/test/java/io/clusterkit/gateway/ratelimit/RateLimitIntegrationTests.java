package io.clusterkit.gateway.ratelimit;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client past its bucket gets 429 with {@code Retry-After}; another client is not
 * affected; behind a trusted proxy, each client it names has a bucket of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.rate-limit.enabled=true",
				"cluster.rate-limit.requests-per-second=0.1", "cluster.rate-limit.burst=3",
				"cluster.forwarding.trusted-proxies=127.0.0.4" })
@DirtiesContext
class RateLimitIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	@LocalServerPort
	int port;

	@Test
	void shouldAnswer429WithRetryAfterPastTheBurst() {
		for (int i = 0; i < 3; i++) {
			assertThat(hello("127.0.0.2").status()).isEqualTo(200);
		}
		RawHttp.Response refused = hello("127.0.0.2");
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
		assertThat(refused.header("Retry-After")).isEqualTo("10");
		assertThat(refused.header("X-Request-Id")).isNotBlank();
		assertThat(refused.header("X-Instance-Id")).as("never sent to a worker").isNull();

		assertThat(hello("127.0.0.3").status()).as("another client").isEqualTo(200);
	}

	@Test
	void shouldGiveEachClientBehindATrustedProxyItsOwnBucket() {
		for (int i = 0; i < 3; i++) {
			assertThat(hello("127.0.0.4", "X-Forwarded-For: 198.51.100.1").status()).isEqualTo(200);
		}
		assertThat(hello("127.0.0.4", "X-Forwarded-For: 198.51.100.1").status()).isEqualTo(429);
		assertThat(hello("127.0.0.4", "X-Forwarded-For: 198.51.100.2").status()).isEqualTo(200);
		// an untrusted peer cannot pick a fresh bucket by naming someone else
		for (int i = 0; i < 3; i++) {
			hello("127.0.0.5", "X-Forwarded-For: 198.51.100." + (10 + i));
		}
		assertThat(hello("127.0.0.5", "X-Forwarded-For: 198.51.100.99").status()).isEqualTo(429);
	}

	private RawHttp.Response hello(String from, String... headers) {
		String[] all = new String[headers.length + 1];
		all[0] = "Host: gateway";
		System.arraycopy(headers, 0, all, 1, headers.length);
		try (RawHttp connection = RawHttp.connect(from, this.port)) {
			return connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", all));
		}
	}

}
