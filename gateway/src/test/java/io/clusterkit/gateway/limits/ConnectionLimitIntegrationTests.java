package io.clusterkit.gateway.limits;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * At {@code cluster.limits.max-connections} the next client waits, unanswered and not
 * refused, until a connection closes; then it is served.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.limits.max-connections=4" })
@DirtiesContext
class ConnectionLimitIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	static final String HELLO = RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway");

	@LocalServerPort
	int port;

	@Test
	void shouldHoldTheNextClientUntilAConnectionCloses() {
		List<RawHttp> open = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				RawHttp connection = RawHttp.connect(this.port);
				open.add(connection);
				assertThat(connection.exchange(HELLO).status()).isEqualTo(200);
			}
			RawHttp waiting = RawHttp.connect(this.port);
			open.add(waiting);
			waiting.send(HELLO);
			assertThatThrownBy(() -> waiting.read(Duration.ofSeconds(1))).isInstanceOf(UncheckedIOException.class)
				.hasMessageContaining("timed out");

			open.remove(0).close();

			assertThat(waiting.read(Duration.ofSeconds(5)).status()).isEqualTo(200);
			// and the connections it kept are served as before
			assertThat(open.get(0).exchange(HELLO).status()).isEqualTo(200);
		}
		finally {
			open.forEach(RawHttp::close);
		}
	}

}
