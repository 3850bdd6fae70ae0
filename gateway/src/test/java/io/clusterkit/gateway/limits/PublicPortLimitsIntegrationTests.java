package io.clusterkit.gateway.limits;

import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public port's limits, each met over a raw socket by what an HTTP client would never
 * send, and each followed by proof the gateway still serves. One route has its own body
 * limit ({@code /api/v1/echo?large}: 3 MB; every other route the default 1 MB).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cluster.limits.header-timeout=1s", "cluster.limits.idle-timeout=2s",
				"spring.cloud.gateway.server.webflux.routes[0].id=large-echo",
				"spring.cloud.gateway.server.webflux.routes[0].uri=lb://worker-service",
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/api/v1/echo",
				"spring.cloud.gateway.server.webflux.routes[0].predicates[1]=Query=large",
				"spring.cloud.gateway.server.webflux.routes[0].metadata.max-body-size=3MB",
				"spring.cloud.gateway.server.webflux.routes[1].id=worker-api",
				"spring.cloud.gateway.server.webflux.routes[1].uri=lb://worker-service",
				"spring.cloud.gateway.server.webflux.routes[1].predicates[0]=Path=/api/**" })
@DirtiesContext
class PublicPortLimitsIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	static final JsonMapper json = JsonMapper.builder().build();

	static final int MB = 1024 * 1024;

	@LocalServerPort
	int port;

	@Autowired
	EndpointRegistry registry;

	@Test
	void shouldAnswer414ToARequestLineOverTheLimit() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection
				.exchange(RawHttp.head("GET /api/v1/hello?name=" + "x".repeat(9000) + " HTTP/1.1", "Host: gateway"));
			assertProblem(response, 414);
			assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
		}
		assertStillServing();
	}

	@Test
	void shouldAnswer431ToHeadersOverTheLimit() {
		String[] headers = new String[20];
		for (int i = 0; i < headers.length; i++) {
			headers[i] = "X-Padding-" + i + ": " + "p".repeat(1000);
		}
		try (RawHttp connection = RawHttp.connect(this.port)) {
			String head = RawHttp.head("GET /api/v1/hello HTTP/1.1", headers);
			assertProblem(connection.exchange(head.replace("\r\n\r\n", "\r\nHost: gateway\r\n\r\n")), 431);
		}
		assertStillServing();
	}

	@ParameterizedTest
	@ValueSource(strings = { "GET /api/v1/hello HTTP/1.1\r\nHost gateway\r\n\r\n", "BLAH\r\n\r\n",
			"GET /api/v1/hello HTTP/1.1\r\n\r\n", "GET /api/v1/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
			"GET /api/v1/hello HTTP/1.1\r\nHost: lb://admin-service\r\n\r\n",
			"POST /api/v1/echo HTTP/1.1\r\nHost: gateway\r\nContent-Length: ten\r\n\r\n",
			"POST /api/v1/echo HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
			"GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\nX-Bad\u0001Name: 1\r\n\r\n",
			"POST /api/v1/echo HTTP/1.0\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
			"GET /api/v1/whoami HTTP/1.1\r\nHost: shop.example;proto=https\r\n\r\n",
			"GET /api/v1/whoami HTTP/1.1\r\nHost: a:\r\n\r\n",
			"GET /api/v1/whoami HTTP/1.1\r\nHost: gateway\r\nX-Forwarded-Host: a\"b\r\n\r\n" })
	void shouldAnswer400ToRequestsThatAreNotHttp(String request) {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			assertProblem(connection.exchange(request), 400);
		}
		assertStillServing();
	}

	@Test
	void shouldAnswer505ToAnHttpVersionItDoesNotSpeak() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			assertProblem(connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/7.5", "Host: gateway")), 505);
		}
		assertStillServing();
	}

	@ParameterizedTest
	@ValueSource(strings = { "GET /api/v1/hello HTTP/1.1\r\n\r\n", "GET /api/v1/hello HTTP/1.2\r\nHost: a\r\n\r\n",
			"GET /api/v1/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" })
	void shouldCheckPipelinedHeadsAsTheFirstAndAnswerInOrder(String pipelined) {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			connection.send(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway") + pipelined);
			assertThat(connection.read().status()).isEqualTo(200);
			assertProblem(connection.read(), pipelined.contains("HTTP/1.2") ? 505 : 400);
			assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
		}
		assertStillServing();
	}

	@Test
	void shouldTimeAPartialHeadQueuedBehindASlowRequest() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			connection
				.send(RawHttp.head("GET /api/v1/work?sleepMs=1500 HTTP/1.1", "Host: gateway") + "GET /api/v1/hel");
			assertThat(connection.read().status()).isEqualTo(200);
			assertProblem(connection.read(), 408);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "CONNECT worker:9001 HTTP/1.1", "CONNECT /ws/echo HTTP/1.1",
			"TRACE /api/v1/hello HTTP/1.1", "TRACE / HTTP/1.1" })
	void shouldAnswer405ToTunnelsAndTracesOnAnyPath(String requestLine) {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head(requestLine, "Host: gateway",
					"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"));
			assertProblem(response, 405);
			assertThat(response.header("Allow")).isEqualTo("GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
			assertThat(response.header("X-Instance-Id")).as("never forwarded").isNull();
		}
		assertStillServing();
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROPFIND /api/v1/hello HTTP/1.1", "BREW / HTTP/1.1" })
	void shouldAnswer501ToMethodsItDoesNotKnow(String requestLine) {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			assertProblem(connection.exchange(RawHttp.head(requestLine, "Host: gateway")), 501);
		}
		assertStillServing();
	}

	@Test
	void shouldForwardWhatItAcceptsToWorkersThatAcceptItToo() {
		String header = "X-Large: " + "a".repeat(1000);
		String[] headers = new String[13];
		headers[0] = "Host: gateway";
		for (int i = 1; i < headers.length; i++) {
			headers[i] = header.replace("X-Large", "X-Large-" + i);
		}
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", headers));
			assertThat(response.status()).as("12 KB of headers").isEqualTo(200);
			response = connection
				.exchange(RawHttp.head("GET /api/v1/hello?q=" + "b".repeat(6 * 1024) + " HTTP/1.1", "Host: gateway"));
			assertThat(response.status()).as("a 6 KB request line").isEqualTo(200);
		}
	}

	@Test
	void shouldAnswer408ToSlowlorisClientsWhileServingEveryoneElse() throws Exception {
		List<RawHttp> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 40; i++) {
				slow.add(RawHttp.connect(this.port).send("GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\n"));
			}
			long start = System.nanoTime();
			List<CompletableFuture<RawHttp.Response>> answers = slow.stream()
				.map((connection) -> CompletableFuture.supplyAsync(() -> trickle(connection)))
				.toList();
			while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1500)) {
				assertStillServing();
			}
			for (CompletableFuture<RawHttp.Response> answer : answers) {
				assertProblem(answer.get(10, TimeUnit.SECONDS), 408);
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
		}
		finally {
			slow.forEach(RawHttp::close);
		}
		assertStillServing();
	}

	/** One header byte every 200 ms, reading whatever answer comes. */
	private static RawHttp.Response trickle(RawHttp connection) {
		CompletableFuture.runAsync(() -> {
			try {
				for (int i = 0; i < 50; i++) {
					connection.send("X");
					Thread.sleep(200);
				}
			}
			catch (UncheckedIOException | InterruptedException ex) {
				// the gateway closed the connection, as it should
			}
		});
		return connection.read();
	}

	@Test
	void shouldCloseAConnectionThatNeverSendsAByteWithoutAnswer() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
		}
	}

	@Test
	void shouldCloseAKeepAliveConnectionIdleLongerThanTheIdleTimeout() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			assertThat(connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).status())
				.isEqualTo(200);
			assertThat(connection.isClosedWithin(Duration.ofMillis(1000))).isFalse();
			assertThat(connection.isClosedWithin(Duration.ofSeconds(5))).isTrue();
		}
	}

	@Test
	void shouldRefuseADeclaredBodyOverTheLimitBeforeReadingIt() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway",
					"Content-Type: application/octet-stream", "Content-Length: " + (50 * MB), "Expect: 100-continue"));
			assertProblem(response, 413);
			assertThat(response.header("X-Instance-Id")).as("answered by the gateway").isNull();
		}
		assertStillServing();
	}

	@Test
	void shouldRefuseAChunked50MbUploadWithoutTheHeapGrowingByIt() throws Exception {
		MemoryPoolMXBean oldGen = ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP && pool.getName().contains("Old"))
			.findFirst()
			.orElseThrow();
		for (int attempt = 0; attempt < 6; attempt++) {
			System.gc();
			long oldBefore = oldGen.getUsage().getUsed();
			oldGen.resetPeakUsage();
			long heapBefore = heapUsed();

			RawHttp.Response response = uploadChunked(50 * MB);

			assertProblem(response, 413);
			assertThat(response.header("X-Instance-Id")).as("answered by the gateway").isNull();
			assertThat(oldGen.getPeakUsage().getUsed() - oldBefore).as("old generation growth during the upload")
				.isLessThan(20L * MB);
			System.gc();
			assertThat(heapUsed() - heapBefore).as("heap kept after the upload").isLessThan(10L * MB);
		}
		// six refusals in a row, more than the passive ejection's five: no instance was
		// blamed for them
		assertThat(this.registry.endpoints()).as("the pool").noneMatch(Endpoint::isEjected);
		// a worker may still count a refused upload it has not seen end: its load report
		// says so for up to max-age, never for as long as an ejection would last
		assertThat(instancesAnsweringWithin(Duration.ofSeconds(10)))
			.as("instances answering; the pool: " + this.registry.endpoints())
			.hasSize(3);
	}

	private RawHttp.Response uploadChunked(int bytes) throws Exception {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			connection.send(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway",
					"Content-Type: application/octet-stream", "Transfer-Encoding: chunked"));
			byte[] chunk = new byte[64 * 1024];
			Arrays.fill(chunk, (byte) 'u');
			byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
				try {
					for (int sent = 0; sent < bytes; sent += chunk.length) {
						connection.send(chunkHead).send(chunk).send("\r\n");
					}
					connection.send("0\r\n\r\n");
				}
				catch (UncheckedIOException ex) {
					// the gateway stopped reading: the upload was refused
				}
			});
			RawHttp.Response response = connection.read(Duration.ofSeconds(30));
			connection.close();
			writer.get(30, TimeUnit.SECONDS);
			return response;
		}
	}

	@Test
	void shouldLetARouteRaiseItsOwnBodyLimit() {
		String body = "b".repeat(2 * MB);
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head("POST /api/v1/echo?large HTTP/1.1",
					"Host: gateway", "Content-Type: text/plain", "Content-Length: " + body.length()) + body);
			// passed on by the gateway (3 MB route), refused by the worker's own 1 MB
			// limit
			assertThat(response.status()).isEqualTo(413);
			assertThat(response.header("X-Instance-Id")).isNotNull();
		}
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection.exchange(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway",
					"Content-Type: text/plain", "Content-Length: " + body.length()) + body);
			assertProblem(response, 413);
			assertThat(response.header("X-Instance-Id")).isNull();
		}
	}

	private static long heapUsed() {
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private void assertStillServing() {
		try (RawHttp connection = RawHttp.connect(this.port)) {
			RawHttp.Response response = connection
				.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"));
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("Hello, world!");
		}
	}

	private Set<String> instancesAnsweringWithin(Duration limit) throws InterruptedException {
		Set<String> instances = new HashSet<>();
		long deadline = System.nanoTime() + limit.toNanos();
		try (RawHttp connection = RawHttp.connect(this.port)) {
			while (instances.size() < 3 && System.nanoTime() - deadline < 0) {
				RawHttp.Response response = connection
					.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway"));
				assertThat(response.status()).isEqualTo(200);
				instances.add(response.header("X-Instance-Id"));
				Thread.sleep(20);
			}
		}
		return instances;
	}

	static void assertProblem(RawHttp.Response response, int status) {
		assertThat(response.status()).isEqualTo(status);
		assertThat(response.header("Content-Type")).startsWith("application/problem+json");
		JsonNode problem = json.readTree(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("detail").asString()).isNotBlank();
	}

}
