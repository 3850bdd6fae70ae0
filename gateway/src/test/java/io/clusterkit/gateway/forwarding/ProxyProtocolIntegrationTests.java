package io.clusterkit.gateway.forwarding;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROXY protocol headers, v1 and v2, sent over raw sockets as a layer-4 balancer sends
 * them: from a trusted proxy the client they name is the client, for the forwarding
 * headers the worker receives as for everything else; from anyone else the connection is
 * closed before a byte of HTTP is read.
 */
public class ProxyProtocolIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	static final String WHOAMI = RawHttp.head("GET /api/v1/whoami HTTP/1.1", "Host: gateway",
			"X-Forwarded-For: 198.51.100.9");

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.forwarding.proxy-protocol=true",
					"cluster.forwarding.trusted-proxies=127.0.0.1" })
	@DirtiesContext
	class FromATrustedProxy {

		@LocalServerPort
		int port;

		@Test
		void shouldTakeTheClientAVersion2HeaderNames() throws Exception {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				RawHttp.Response answer = connection.send(version2("203.0.113.7", 51000, this.port)).exchange(WHOAMI);
				assertThat(answer.status()).isEqualTo(200);
				assertThat(answer.body()).as("the client the header names, its own X-Forwarded-For dropped")
					.contains("\"client\":\"203.0.113.7\"")
					.doesNotContain("198.51.100.9");
			}
		}

		@Test
		void shouldTakeTheClientAVersion1HeaderNames() {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				RawHttp.Response answer = connection
					.send("PROXY TCP4 203.0.113.8 127.0.0.1 51001 " + this.port + "\r\n")
					.exchange(WHOAMI);
				assertThat(answer.status()).isEqualTo(200);
				assertThat(answer.body()).contains("\"client\":\"203.0.113.8\"");
			}
		}

		@Test
		void shouldServeATrustedProxysConnectionWithoutAHeader() {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				RawHttp.Response answer = connection.exchange(WHOAMI);
				assertThat(answer.status()).isEqualTo(200);
				assertThat(answer.body()).as("a trusted proxy's own X-Forwarded-For").contains("198.51.100.9");
			}
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.forwarding.proxy-protocol=true",
					"cluster.forwarding.trusted-proxies=10.0.0.0/8" })
	@DirtiesContext
	class FromAnyoneElse {

		@LocalServerPort
		int port;

		@Test
		void shouldCloseAConnectionThatStartsWithAHeader() throws Exception {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				connection.send(version2("203.0.113.7", 51000, this.port)).send(WHOAMI);
				assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
			}
			try (RawHttp connection = RawHttp.connect(this.port)) {
				connection.send("PROXY TCP4 203.0.113.8 127.0.0.1 51001 " + this.port + "\r\n").send(WHOAMI);
				assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
			}
		}

		@Test
		void shouldServePlainHttpAsBefore() {
			try (RawHttp connection = RawHttp.connect(this.port)) {
				RawHttp.Response answer = connection.exchange(WHOAMI);
				assertThat(answer.status()).isEqualTo(200);
				assertThat(answer.body()).contains("\"client\":\"127.0.0.1\"").doesNotContain("198.51.100.9");
			}
		}

	}

	/**
	 * A PROXY protocol v2 header for a TCP over IPv4 connection to loopback.
	 * @param client the client's address
	 * @param clientPort the client's port
	 * @param port the port it connected to
	 * @return the header's bytes
	 */
	public static byte[] version2(String client, int clientPort, int port) throws Exception {
		ByteArrayOutputStream header = new ByteArrayOutputStream();
		header.write("\r\n\r\n\0\r\nQUIT\n".getBytes(StandardCharsets.ISO_8859_1));
		header.write(0x21); // version 2, PROXY
		header.write(0x11); // TCP over IPv4
		header.write(ByteBuffer.allocate(2).putShort((short) 12).array());
		header.write(InetAddress.getByName(client).getAddress());
		header.write(InetAddress.getByName("127.0.0.1").getAddress());
		header.write(ByteBuffer.allocate(4).putShort((short) clientPort).putShort((short) port).array());
		return header.toByteArray();
	}

}
