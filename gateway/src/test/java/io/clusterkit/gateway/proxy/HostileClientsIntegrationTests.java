package io.clusterkit.gateway.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.clusterkit.gateway.Accounting;
import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outages a hostile client caused, replayed over raw sockets against real workers:
 * slow uploads, a cut-off chunked body, idle WebSockets, a saturated pool. None of them
 * may eject an instance, starve plain requests, or reach a worker as a complete request.
 * The workers log every request, so what they completed is checked on their side.
 */
class HostileClientsIntegrationTests {

	static final String[] ACCESS_LOG = { "--cluster.access-log.enabled=true" };

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3, ACCESS_LOG, ACCESS_LOG, ACCESS_LOG);

	static final String ECHO_COMPLETED = "\"POST /api/v1/echo HTTP/1.1\" 200";

	/** What each scenario's gateway, with its own settings, is reached by. */
	abstract static class Gateway {

		@LocalServerPort
		int port;

		@Autowired
		EndpointRegistry registry;

	}

	static void assertNothingCharged(EndpointRegistry registry) {
		Accounting.assertNothingCharged(registry, workers.size());
	}

	static void assertServing(int port) {
		for (int i = 0; i < 2 * workers.size(); i++) {
			try (RawHttp http = RawHttp.connect("127.0.0.2", port)) {
				assertThat(http.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).status())
					.isEqualTo(200);
			}
		}
	}

	static void assertNoWorkerCompletedAnEcho() {
		for (int i = 0; i < workers.size(); i++) {
			assertThat(workers.log(i)).as(workers.id(i)).doesNotContain(ECHO_COMPLETED).doesNotContain(" ERROR ");
		}
	}

	/**
	 * Echo uploads that send 10 bytes of their body, then one more every 500 ms.
	 * @param port the gateway's port
	 * @param count how many uploads
	 * @param contentLength the body length they announce
	 * @param rounds how many more bytes each sends
	 * @return the connections, after the last byte
	 */
	static List<RawHttp> trickle(int port, int count, int contentLength, int rounds) throws InterruptedException {
		List<RawHttp> uploads = IntStream.range(0, count).mapToObj((i) -> RawHttp.connect(port)).toList();
		for (RawHttp upload : uploads) {
			upload.send(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
					"Content-Length: " + contentLength) + "0123456789");
		}
		for (int round = 0; round < rounds; round++) {
			Thread.sleep(500);
			uploads.forEach((upload) -> upload.send("x"));
		}
		return uploads;
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.proxy.response-timeout=2s",
					"cluster.limits.body-timeout=1500ms", "cluster.limits.websocket-idle-timeout=1s",
					"cluster.limits.header-timeout=1s" })
	@DirtiesContext
	@ExtendWith(OutputCaptureExtension.class)
	class ShortTimeouts extends Gateway {

		@AfterEach
		void nothingLeftInFlight() {
			Accounting.awaitIdle(this.registry);
		}

		@Test
		void shouldAnswerSlowUploads408WithoutBlamingAnyWorker() throws InterruptedException {
			// a byte each 500 ms for longer than the response timeout, then silence
			List<RawHttp> uploads = trickle(this.port, 21, 1000, 7);
			try {
				for (RawHttp upload : uploads) {
					RawHttp.Response response = upload.read(Duration.ofSeconds(15));
					assertThat(response.status()).isEqualTo(408);
					assertThat(response.header("Content-Type")).startsWith("application/problem+json");
					assertThat(response.header("Connection")).isEqualTo("close");
					assertThat(response.body()).contains("stalled");
				}
			}
			finally {
				uploads.forEach(RawHttp::close);
			}
			Accounting.awaitIdle(this.registry);
			assertNothingCharged(this.registry);
			assertServing(this.port);
			assertNoWorkerCompletedAnEcho();
		}

		@Test
		void shouldNotCountASlowUploadAsTheWorkersLatency() throws InterruptedException {
			// a byte every 500 ms, under the body timeout: a 2 s upload, all of it
			List<RawHttp> uploads = trickle(this.port, 3, 14, 4);
			try {
				for (RawHttp upload : uploads) {
					assertThat(upload.read(Duration.ofSeconds(15)).status()).isEqualTo(200);
				}
			}
			finally {
				uploads.forEach(RawHttp::close);
			}
			long now = this.registry.nanoTime();
			assertThat(this.registry.endpoints()).filteredOn((endpoint) -> endpoint.latencyEstimate(now) >= 0)
				.isNotEmpty()
				.allSatisfy((endpoint) -> assertThat(endpoint.latencyEstimate(now))
					.as(endpoint.address() + "'s latency, in ns: the upload's 2 s are the client's")
					.isLessThan(Duration.ofMillis(500).toNanos()));
		}

		@Test
		void shouldNeverCompleteACutOffChunkedBodyUpstream(CapturedOutput output) throws InterruptedException {
			try (RawHttp http = RawHttp.connect(this.port)) {
				http.send(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
						"Transfer-Encoding: chunked") + "5\r\nhello\r\n");
				Thread.sleep(300);
				RawHttp.Response response = http.send("zz\r\n").read();
				assertThat(response.status()).isEqualTo(400);
				assertThat(response.header("Content-Type")).startsWith("application/problem+json");
				assertThat(response.body()).contains("chunked");
				assertThat(http.isClosedWithin(Duration.ofSeconds(5))).isTrue();
			}
			Accounting.awaitIdle(this.registry);
			assertNothingCharged(this.registry);
			assertNoWorkerCompletedAnEcho();
			assertThat(output.getAll()).doesNotContain(" ERROR ")
				.doesNotContain(" WARN ")
				.doesNotContain("Status and headers already sent");
		}

		@Test
		void shouldLeaveATalkingWebSocketToItselfPastEveryHttpTimeout() throws InterruptedException {
			try (RawHttp socket = openWebSocket(this.port)) {
				// 3 s of frames: past this context's 1 s header timeout and 1.5 s body
				// timeout
				for (int i = 0; i < 6; i++) {
					Thread.sleep(500);
					socket.send(new byte[] { (byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2 });
					byte[] echo = socket.readBytes(4, Duration.ofSeconds(5));
					assertThat(echo).as("text frame 'hi' echoed").containsExactly(0x81, 2, 'h', 'i');
				}
			}
		}

		@Test
		void shouldCloseAnIdleWebSocketWithGoingAway() {
			try (RawHttp socket = openWebSocket(this.port)) {
				byte[] frame = socket.readBytes(4, Duration.ofSeconds(10));
				assertThat(frame[0] & 0xFF).as("FIN + close").isEqualTo(0x88);
				assertThat(((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF)).as("status").isEqualTo(1001);
			}
			Accounting.awaitIdle(this.registry);
			assertNothingCharged(this.registry);
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.limits.max-connections-per-client=0" })
	@DirtiesContext
	class IdleWebSockets extends Gateway {

		@Test
		void shouldKeepServingPlainRequestsPastThePoolSizeOfIdleWebSockets() throws Exception {
			// more than the pool's 500 connections per worker, as the attack had
			List<RawHttp> sockets = new ArrayList<>();
			ExecutorService openers = Executors.newFixedThreadPool(16);
			try {
				List<Future<RawHttp>> opened = new ArrayList<>();
				for (int i = 0; i < 1600; i++) {
					opened.add(openers.submit(() -> openWebSocket(this.port)));
				}
				for (Future<RawHttp> socket : opened) {
					sockets.add(socket.get());
				}
				assertServing(this.port);
				assertNothingCharged(this.registry);
			}
			finally {
				openers.shutdownNow();
				sockets.forEach(RawHttp::close);
			}
			Accounting.awaitIdle(this.registry);
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.limits.max-connections-per-client=20" })
	@DirtiesContext
	class PerClientCap extends Gateway {

		@Test
		void shouldAnswer429PastTheCapAndServeOtherClients() {
			List<RawHttp> sockets = new ArrayList<>();
			try {
				for (int i = 0; i < 20; i++) {
					sockets.add(openWebSocket(this.port));
				}
				try (RawHttp refused = RawHttp.connect(this.port)) {
					RawHttp.Response response = refused
						.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"));
					assertThat(response.status()).isEqualTo(429);
					assertThat(response.header("Content-Type")).startsWith("application/problem+json");
					assertThat(response.header("Retry-After")).isEqualTo("1");
				}
				assertServing(this.port);
				sockets.remove(0).close();
				Await.until("a WebSocket's slot freed", Duration.ofSeconds(10), () -> {
					try (RawHttp again = RawHttp.connect(this.port)) {
						return again.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"))
							.status() == 200;
					}
				});
			}
			finally {
				sockets.forEach(RawHttp::close);
			}
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					"spring.cloud.gateway.server.webflux.httpclient.pool.max-connections=1",
					"spring.cloud.gateway.server.webflux.httpclient.pool.acquire-timeout=200" })
	@DirtiesContext
	class SaturatedPool extends Gateway {

		@Test
		void shouldAnswerGatewayBusyWithoutBlamingTheWorker() {
			// one slow request per worker holds each pool's only connection
			List<RawHttp> slow = IntStream.range(0, workers.size())
				.mapToObj((i) -> RawHttp.connect(this.port)
					.send(RawHttp.head("GET /api/v1/work?sleepMs=6000 HTTP/1.1", "Host: gateway")))
				.toList();
			try {
				Await.until("every pool busy", Duration.ofSeconds(5),
						() -> this.registry.endpoints().stream().allMatch((endpoint) -> endpoint.inFlight() == 1));
				for (int i = 0; i < 5; i++) {
					try (RawHttp http = RawHttp.connect(this.port)) {
						RawHttp.Response response = http
							.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"));
						assertThat(response.status()).isEqualTo(503);
						assertThat(response.header("Retry-After")).isEqualTo("1");
						assertThat(response.body()).contains("gateway is busy");
					}
				}
				slow.forEach((http) -> assertThat(http.read(Duration.ofSeconds(20)).status()).isEqualTo(200));
			}
			finally {
				slow.forEach(RawHttp::close);
			}
			Accounting.awaitIdle(this.registry);
			assertNothingCharged(this.registry);
		}

	}

	static RawHttp openWebSocket(int port) {
		RawHttp socket = RawHttp.connect(port);
		RawHttp.Response response = socket
			.send(RawHttp.head("GET /ws/echo HTTP/1.1", "Host: gateway", "Upgrade: websocket", "Connection: Upgrade",
					"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"))
			.readHead(Duration.ofSeconds(20));
		assertThat(response.status()).as("upgrade").isEqualTo(101);
		return socket;
	}

}
