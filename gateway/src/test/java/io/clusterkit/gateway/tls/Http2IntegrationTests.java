package io.clusterkit.gateway.tls;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.security.cert.X509Certificate;

import io.clusterkit.gateway.Accounting;
import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.util.function.Tuple3;
import reactor.util.function.Tuples;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 to clients, with real clients on loopback: the JDK's HttpClient over TLS (ALPN
 * picks h2 or http/1.1), Reactor Netty's client by prior knowledge in cleartext (h2c),
 * and raw frames for what no polite client sends. Requests still go to the workers over
 * HTTP/1.1, and every defence of the public port holds per stream: problems on the stream
 * that caused them, a stalled upload answered 408 and never completed upstream, a reset
 * stream counted as the client's cancel, a connection that opens no stream closed.
 */
class Http2IntegrationTests {

	static final String[] ACCESS_LOG = { "--cluster.access-log.enabled=true" };

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(2, ACCESS_LOG, ACCESS_LOG);

	static final Path CERTIFICATES = TlsIntegrationTests.selfSigned("gateway-h2");

	static void assertNothingCharged(EndpointRegistry registry) {
		Accounting.awaitIdle(registry);
		Accounting.assertNothingCharged(registry, workers.size());
	}

	static void assertNoWorkerCompletedAnEcho() {
		for (int i = 0; i < workers.size(); i++) {
			assertThat(workers.log(i)).as(workers.id(i))
				.doesNotContain("\"POST /api/v1/echo HTTP/1.1\" 200")
				.doesNotContain(" ERROR ");
		}
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "cluster.limits.header-timeout=1s",
					"cluster.limits.body-timeout=1s" })
	@ActiveProfiles("tls")
	@DirtiesContext
	@ExtendWith(OutputCaptureExtension.class)
	class OverTls {

		@LocalServerPort
		int port;

		@LocalManagementPort
		int managementPort;

		@Autowired
		EndpointRegistry registry;

		@DynamicPropertySource
		static void certificate(DynamicPropertyRegistry registry) {
			TlsIntegrationTests.serve(CERTIFICATES, registry);
		}

		@Test
		void shouldSpeakHttp2OrHttp11AsAlpnSettles() throws Exception {
			HttpResponse<String> h2 = client(HttpClient.Version.HTTP_2).send(request("/api/v1/whoami").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
			assertThat(h2.statusCode()).isEqualTo(200);
			assertThat(h2.body()).contains("\"client\":\"127.0.0.1\"");
			assertThat(h2.headers().firstValue("X-Instance-Id")).isPresent();
			assertThat(h2.headers().firstValue("X-Request-Id")).isPresent();
			assertThat(h2.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");

			HttpResponse<String> h1 = client(HttpClient.Version.HTTP_1_1).send(request("/api/v1/hello").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
			assertThat(h1.statusCode()).isEqualTo(200);
			assertThat(h1.headers().firstValue("Strict-Transport-Security")).isPresent();
		}

		@Test
		void shouldAnswerProblemsOnTheirStreamAndServeTheConnectionOn() throws Exception {
			HttpClient client = client(HttpClient.Version.HTTP_2);

			HttpResponse<String> notFound = client.send(request("/nowhere").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(notFound.statusCode()).isEqualTo(404);
			assertProblem(notFound);

			HttpResponse<String> trace = client.send(
					request("/api/v1/hello").method("TRACE", HttpRequest.BodyPublishers.noBody()).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(trace.version()).isEqualTo(HttpClient.Version.HTTP_2);
			assertThat(trace.statusCode()).isEqualTo(405);
			assertThat(trace.headers().firstValue("Allow"))
				.hasValueSatisfying((allow) -> assertThat(allow).contains("GET"));
			assertProblem(trace);

			HttpResponse<String> forged = client.send(
					request("/api/v1/hello").header("X-Forwarded-Host", "evil.example;by=x").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(forged.statusCode()).isEqualTo(400);
			assertProblem(forged);

			HttpResponse<String> huge = client.send(
					request("/api/v1/hello").header("X-Big", "x".repeat(20_000)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(huge.statusCode()).as("headers past server.max-http-request-header-size").isEqualTo(431);
			assertProblem(huge);

			HttpResponse<String> longPath = client.send(request("/api/v1/hello?q=" + "x".repeat(9_000)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(longPath.statusCode()).as(":path past server.netty.max-initial-line-length").isEqualTo(414);
			assertProblem(longPath);

			HttpResponse<String> after = client.send(request("/api/v1/hello").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(after.statusCode()).as("the same connection, after five refusals").isEqualTo(200);
		}

		@Test
		void shouldAnswerAStalledUpload408AndNeverCompleteItUpstream(CapturedOutput output) throws Exception {
			// a body that never ends, from a client that reads the answer as it comes
			X509Certificate certificate = (X509Certificate) TlsIntegrationTests.certificate(CERTIFICATES);
			Http2SslContextSpec tls = Http2SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(certificate));
			Tuple3<Integer, String, String> answer = reactor.netty.http.client.HttpClient.create()
				.protocol(HttpProtocol.H2)
				.secure((spec) -> spec.sslContext(tls))
				.headers((headers) -> headers.set("Content-Type", "text/plain"))
				.post()
				.uri("https://localhost:" + this.port + "/api/v1/echo")
				.send(Flux.just(Unpooled.copiedBuffer("only the start", StandardCharsets.UTF_8))
					.concatWith(Flux.never()))
				.responseSingle((response, body) -> body.asString()
					.defaultIfEmpty("")
					.map((text) -> Tuples.of(response.status().code(), response.responseHeaders().get("Content-Type"),
							text)))
				.block(Duration.ofSeconds(10));
			assertThat(answer).isNotNull();
			assertThat(answer.getT1()).isEqualTo(408);
			assertThat(answer.getT2()).startsWith("application/problem+json");
			assertThat(answer.getT3()).contains("stalled");
			assertNothingCharged(this.registry);
			assertNoWorkerCompletedAnEcho();
			assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain(" WARN ");
		}

		@Test
		void shouldTakeAResetStreamAsTheClientsCancel() throws Exception {
			HttpClient client = client(HttpClient.Version.HTTP_2);
			CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
					request("/api/v1/work?sleepMs=20000").timeout(Duration.ofSeconds(60)).build(),
					HttpResponse.BodyHandlers.ofString());
			Await.until("the request in flight", Duration.ofSeconds(5), () -> Accounting.inFlight(this.registry) == 1);
			CompletableFuture<HttpResponse<String>> upload = client
				.sendAsync(request("/api/v1/echo").header("Content-Type", "text/plain")
					.POST(HttpRequest.BodyPublishers.fromPublisher(new Trickle("a byte at a time")))
					.build(), HttpResponse.BodyHandlers.ofString());
			Await.until("the upload in flight", Duration.ofSeconds(5), () -> Accounting.inFlight(this.registry) == 2);

			slow.cancel(true);
			upload.cancel(true);

			Await.until("both reset streams counted out", Duration.ofSeconds(10),
					() -> Accounting.inFlight(this.registry) == 0);
			assertNothingCharged(this.registry);
			assertNoWorkerCompletedAnEcho();
			assertThat(client.send(request("/api/v1/hello").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
				.as("the connection after two resets")
				.isEqualTo(200);
		}

		@Test
		void shouldRefuseFailedHandshakesQuietlyAndLeaveTheManagementPortPlain(CapturedOutput output) throws Exception {
			try (RawHttp plain = RawHttp.connect(this.port)) {
				plain.send(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"));
				assertThat(plain.isClosedWithin(Duration.ofSeconds(10))).as("plain HTTP to the TLS port").isTrue();
			}
			HttpResponse<String> health = HttpClient.newHttpClient()
				.send(HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health/readiness"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(health.statusCode()).as("the probes' port, in plain HTTP").isEqualTo(200);
			assertThat(output.getAll()).doesNotContain(" WARN ").doesNotContain(" ERROR ");
		}

		@Test
		void shouldCloseAConnectionThatOpensNoStream() throws Exception {
			try (RawHttp h2 = h2Connection()) {
				// the first 9 bytes of a 100-byte HEADERS frame, and nothing more
				h2.send(new byte[] { 0, 0, 100, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
				assertThat(h2.isClosedWithin(Duration.ofSeconds(10))).as("closed after the header timeout").isTrue();
			}
			assertNothingCharged(this.registry);
		}

		@Test
		void shouldAnnounceItsStreamAndHeaderLimits() throws Exception {
			try (RawHttp h2 = h2Connection()) {
				byte[] head = h2.readBytes(9, Duration.ofSeconds(5));
				assertThat(head[3]).as("the server's first frame is SETTINGS").isEqualTo((byte) 4);
				int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
				ByteBuffer settings = ByteBuffer.wrap(h2.readBytes(length, Duration.ofSeconds(5)));
				Map<Integer, Long> values = new HashMap<>();
				while (settings.hasRemaining()) {
					values.put((int) settings.getShort(), settings.getInt() & 0xffffffffL);
				}
				assertThat(values).as("SETTINGS_MAX_CONCURRENT_STREAMS: cluster.limits.max-concurrent-streams")
					.containsEntry(3, 100L);
				assertThat(values)
					.as("SETTINGS_MAX_HEADER_LIST_SIZE: twice the line and header limits, past which Netty answers")
					.containsEntry(6, 2L * (8192 + 16384));
			}
		}

		@Test
		void shouldCloseAConnectionThatResetsStreamsRapidly() throws Exception {
			// CVE-2023-44487: streams opened and reset at once, faster than any
			// request can be served
			ByteArrayOutputStream attack = new ByteArrayOutputStream();
			// :method GET, :scheme https and :path / from HPACK's static table, then
			// :authority as a literal
			byte[] block = ByteBuffer.allocate(14)
				.put(new byte[] { (byte) 0x82, (byte) 0x87, (byte) 0x84, 0x01, 0x09 })
				.put("localhost".getBytes(StandardCharsets.US_ASCII))
				.array();
			for (int stream = 1; stream < 600; stream += 2) {
				attack.write(frame(1, 5, stream, block));
				attack.write(frame(3, 0, stream, new byte[] { 0, 0, 0, 8 }));
			}
			try (RawHttp h2 = h2Connection()) {
				h2.send(attack.toByteArray());
				assertThat(goAwayError(h2)).as("GOAWAY's error: ENHANCE_YOUR_CALM, not the idle timeout's NO_ERROR")
					.isEqualTo(0xb);
				assertThat(h2.isClosedWithin(Duration.ofSeconds(10))).isTrue();
			}
			assertNothingCharged(this.registry);
			assertThat(client(HttpClient.Version.HTTP_2)
				.send(request("/api/v1/hello").build(), HttpResponse.BodyHandlers.ofString())
				.statusCode()).isEqualTo(200);
		}

		/** Reads frames until a GOAWAY, and gives its error code. */
		private static int goAwayError(RawHttp h2) {
			while (true) {
				ByteBuffer head = ByteBuffer.wrap(h2.readBytes(9, Duration.ofSeconds(10)));
				int length = ((head.get() & 0xff) << 16) | ((head.get() & 0xff) << 8) | (head.get() & 0xff);
				byte type = head.get();
				ByteBuffer payload = ByteBuffer.wrap(h2.readBytes(length, Duration.ofSeconds(10)));
				if (type == 7) {
					return payload.getInt(4);
				}
			}
		}

		/** A TLS connection that settled on h2, its preface and empty SETTINGS sent. */
		private RawHttp h2Connection() throws Exception {
			SSLContext context = TlsIntegrationTests.trusting(TlsIntegrationTests.certificate(CERTIFICATES));
			SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", this.port);
			SSLParameters parameters = socket.getSSLParameters();
			parameters.setApplicationProtocols(new String[] { "h2" });
			socket.setSSLParameters(parameters);
			socket.startHandshake();
			assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
			RawHttp h2 = RawHttp.over(socket);
			h2.send(PREFACE);
			h2.send(frame(4, 0, 0, new byte[0]));
			return h2;
		}

		private HttpClient client(HttpClient.Version version) throws Exception {
			return HttpClient.newBuilder()
				.sslContext(TlsIntegrationTests.trusting(TlsIntegrationTests.certificate(CERTIFICATES)))
				.version(version)
				.build();
		}

		private HttpRequest.Builder request(String path) {
			return HttpRequest.newBuilder(URI.create("https://localhost:" + this.port + path))
				.timeout(Duration.ofSeconds(10));
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "server.http2.enabled=true",
					"cluster.limits.header-timeout=1s" })
	@DirtiesContext
	class Cleartext {

		@LocalServerPort
		int port;

		@Test
		void shouldServePriorKnowledgeAndHttp11OnOnePort() {
			reactor.netty.http.client.HttpClient h2c = reactor.netty.http.client.HttpClient.create()
				.protocol(HttpProtocol.H2C)
				.responseTimeout(Duration.ofSeconds(10));
			HttpVersion version = h2c.get()
				.uri("http://localhost:" + this.port + "/api/v1/hello")
				.response()
				.map((response) -> {
					assertThat(response.status().code()).isEqualTo(200);
					assertThat(response.responseHeaders().get("X-Instance-Id")).isNotNull();
					return response.version();
				})
				.block(Duration.ofSeconds(10));
			assertThat(version).isNotNull();
			assertThat(version.text()).isEqualTo("HTTP/2.0");

			try (RawHttp http = RawHttp.connect(this.port)) {
				assertThat(http.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).status())
					.isEqualTo(200);
			}
		}

		@Test
		void shouldServeAnH2cUpgradeRequestAsHttp11() {
			try (RawHttp http = RawHttp.connect(this.port)) {
				RawHttp.Response answer = http.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway",
						"Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__"));
				assertThat(answer.status()).isEqualTo(200);
			}
		}

		@Test
		void shouldHoldTheHttp11DefencesOnAPortThatAlsoSpeaksH2c() {
			try (RawHttp slow = RawHttp.connect(this.port)) {
				slow.send("GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\n");
				RawHttp.Response answer = slow.read(Duration.ofSeconds(10));
				assertThat(answer.status()).as("a head that never ends").isEqualTo(408);
				assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
			}
			try (RawHttp http = RawHttp.connect(this.port)) {
				http.send(
						"GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
				assertThat(http.read(Duration.ofSeconds(10)).status()).as("two lengths").isEqualTo(400);
			}
			try (RawHttp h2c = RawHttp.connect(this.port)) {
				h2c.send(PREFACE);
				assertThat(h2c.isClosedWithin(Duration.ofSeconds(10))).as("a preface and then nothing").isTrue();
			}
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "server.http2.enabled=true", "cluster.rate-limit.enabled=true",
					"cluster.rate-limit.requests-per-second=0.01", "cluster.rate-limit.burst=3" })
	@DirtiesContext
	class RateLimited {

		@LocalServerPort
		int port;

		@Test
		void shouldLimitTheRateOfStreamsAsOfRequests() {
			reactor.netty.http.client.HttpClient h2c = reactor.netty.http.client.HttpClient.create()
				.protocol(HttpProtocol.H2C)
				.responseTimeout(Duration.ofSeconds(10));
			List<String> answers = Flux.range(0, 5)
				.concatMap((i) -> h2c.get()
					.uri("http://localhost:" + this.port + "/api/v1/hello")
					.responseSingle((response, body) -> body.asString()
						.defaultIfEmpty("")
						.map((text) -> response.version().text() + " " + response.status().code() + " "
								+ response.responseHeaders().get("Content-Type"))))
				.collectList()
				.block(Duration.ofSeconds(30));
			assertThat(answers).hasSize(5);
			assertThat(answers.subList(0, 3)).allSatisfy((answer) -> assertThat(answer).startsWith("HTTP/2.0 200"));
			assertThat(answers.subList(3, 5))
				.allSatisfy((answer) -> assertThat(answer).startsWith("HTTP/2.0 429 application/problem+json"));
		}

	}

	static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	/** An HTTP/2 frame: 9 bytes of header (RFC 9113, section 4.1), then the payload. */
	static byte[] frame(int type, int flags, int stream, byte[] payload) {
		return ByteBuffer.allocate(9 + payload.length)
			.put((byte) (payload.length >>> 16))
			.put((byte) (payload.length >>> 8))
			.put((byte) payload.length)
			.put((byte) type)
			.put((byte) flags)
			.putInt(stream)
			.put(payload)
			.array();
	}

	static void assertProblem(HttpResponse<String> response) {
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(response.body()).contains("\"status\":" + response.statusCode());
	}

	/**
	 * A body that never ends, sending a chunk every 200 ms: never stalled long enough for
	 * the body timeout.
	 */
	private record Trickle(String chunk) implements Flow.Publisher<ByteBuffer> {

		@Override
		public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
			ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "trickle");
				thread.setDaemon(true);
				return thread;
			});
			AtomicLong demand = new AtomicLong();
			subscriber.onSubscribe(new Flow.Subscription() {

				@Override
				public void request(long n) {
					demand.addAndGet(n);
				}

				@Override
				public void cancel() {
					timer.shutdownNow();
				}

			});
			timer.scheduleAtFixedRate(() -> {
				if (demand.get() > 0) {
					demand.decrementAndGet();
					subscriber.onNext(ByteBuffer.wrap(chunk().getBytes(StandardCharsets.UTF_8)));
				}
			}, 0, 200, TimeUnit.MILLISECONDS);
		}

	}

}
