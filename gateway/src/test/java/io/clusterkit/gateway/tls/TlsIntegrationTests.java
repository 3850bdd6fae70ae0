package io.clusterkit.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.clusterkit.gateway.Accounting;
import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.RawHttp;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.forwarding.ProxyProtocolIntegrationTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The public port with the {@code tls} profile, a certificate made by the script users
 * try it with ({@code docker/self-signed-certificate}): TLS 1.3 by default, 1.2 with a
 * forward-secret AEAD suite only, HSTS on every response, and a certificate replaced on
 * disk served on the next connection while a keep-alive connection made before it goes on
 * working.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "spring.ssl.bundle.watch.file.quiet-period=200ms",
				"cluster.limits.header-timeout=1s", "cluster.limits.body-timeout=1s",
				"cluster.forwarding.proxy-protocol=true", "cluster.forwarding.trusted-proxies=127.0.0.1" })
@ActiveProfiles("tls")
@DirtiesContext
class TlsIntegrationTests {

	static final Path CERTIFICATES = temporaryDirectory("gateway-tls");

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1);

	@LocalServerPort
	int port;

	@Autowired
	EndpointRegistry registry;

	@DynamicPropertySource
	static void certificate(DynamicPropertyRegistry registry) {
		selfSigned(CERTIFICATES);
		serve(CERTIFICATES, registry);
	}

	/**
	 * The {@code tls} profile's certificate and key from a directory.
	 * @param directory where {@code tls.crt} and {@code tls.key} are
	 * @param registry the test's properties
	 */
	static void serve(Path directory, DynamicPropertyRegistry registry) {
		registry.add("TLS_CERTIFICATE", () -> "file:" + directory.resolve("tls.crt"));
		registry.add("TLS_PRIVATE_KEY", () -> "file:" + directory.resolve("tls.key"));
	}

	@Test
	void shouldProxyOverTls13WithStrictTransportSecurity() throws Exception {
		HttpClient client = HttpClient.newBuilder()
			.sslContext(trusting(certificate()))
			.version(HttpClient.Version.HTTP_1_1)
			.build();

		HttpResponse<String> answer = client.send(request("/api/v1/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("X-Instance-Id")).isPresent();
		assertThat(answer.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
		assertThat(answer.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");

		HttpResponse<String> problem = client.send(request("/nowhere"), HttpResponse.BodyHandlers.ofString());
		assertThat(problem.statusCode()).isEqualTo(404);
		assertThat(problem.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(problem.headers().firstValue("Strict-Transport-Security")).isPresent();
	}

	@Test
	void shouldOfferTls12OnlyWithForwardSecretAeadSuites() throws Exception {
		try (SSLSocket socket = tlsSocket("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")) {
			socket.startHandshake();
			assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
		}
		try (SSLSocket socket = tlsSocket("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")) {
			assertThatExceptionOfType(SSLHandshakeException.class).as("a CBC suite").isThrownBy(socket::startHandshake);
		}
	}

	@Test
	void shouldServeAReplacedCertificateOnNewConnectionsWithoutDroppingOpenOnes() throws Exception {
		try (SSLSocket kept = tlsSocket("TLSv1.3", null); RawHttp connection = RawHttp.over(kept)) {
			assertThat(connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).status())
				.isEqualTo(200);
			Certificate before = kept.getSession().getPeerCertificates()[0];

			selfSigned(CERTIFICATES);
			Certificate replaced = certificate();
			assertThat(replaced).isNotEqualTo(before);
			Await.until("the replaced certificate served", Duration.ofSeconds(30), () -> {
				try (SSLSocket fresh = tlsSocket("TLSv1.3", null)) {
					fresh.startHandshake();
					return fresh.getSession().getPeerCertificates()[0].equals(replaced);
				}
				catch (IOException | GeneralSecurityException ex) {
					return false;
				}
			});

			assertThat(connection.exchange(RawHttp.head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).status())
				.as("the keep-alive connection opened before the reload")
				.isEqualTo(200);
		}
	}

	@Test
	void shouldReadAProxyHeaderSentBeforeTheTlsHandshake() throws Exception {
		// a layer-4 balancer passing TLS through: its PROXY header first, then the
		// client's TLS
		Socket tcp = new Socket("127.0.0.1", this.port);
		tcp.getOutputStream().write(ProxyProtocolIntegrationTests.version2("203.0.113.7", 51000, this.port));
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new AnyCertificate() }, null);
		try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", this.port, true);
				RawHttp connection = RawHttp.over(tls)) {
			RawHttp.Response answer = connection.exchange(RawHttp.head("GET /api/v1/whoami HTTP/1.1", "Host: gateway"));
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.body()).contains("\"client\":\"203.0.113.7\"");
			assertThat(answer.header("Strict-Transport-Security")).isNotNull();
		}
	}

	@Test
	void shouldHoldTheHostileClientDefencesBehindTls() throws Exception {
		try (SSLSocket socket = tlsSocket("TLSv1.3", null); RawHttp slow = RawHttp.over(socket)) {
			slow.send("GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\n");
			RawHttp.Response answer = slow.read(Duration.ofSeconds(10));
			assertThat(answer.status()).as("a head that never ends").isEqualTo(408);
			assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
		}
		try (SSLSocket socket = tlsSocket("TLSv1.3", null); RawHttp upload = RawHttp.over(socket)) {
			upload.send(RawHttp.head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
					"Content-Length: 1000") + "only the start");
			RawHttp.Response answer = upload.read(Duration.ofSeconds(10));
			assertThat(answer.status()).as("an upload that stalls").isEqualTo(408);
			assertThat(answer.body()).contains("stalled");
		}
		// the client's doing, charged to nobody
		Accounting.awaitIdle(this.registry);
		Accounting.assertNothingCharged(this.registry, workers.size());
	}

	private HttpRequest request(String path) {
		return HttpRequest.newBuilder(URI.create("https://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	/** A client that accepts whatever certificate it is shown, to see which one it is. */
	private SSLSocket tlsSocket(String protocol, String suite) throws IOException, GeneralSecurityException {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new AnyCertificate() }, null);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", this.port);
		socket.setEnabledProtocols(new String[] { protocol });
		if (suite != null) {
			socket.setEnabledCipherSuites(new String[] { suite });
		}
		return socket;
	}

	static SSLContext trusting(Certificate certificate) throws Exception {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		trusted.setCertificateEntry("gateway", certificate);
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	private static Certificate certificate() throws Exception {
		return certificate(CERTIFICATES);
	}

	static Certificate certificate(Path directory) throws Exception {
		try (InputStream in = Files.newInputStream(directory.resolve("tls.crt"))) {
			return CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	/**
	 * A self-signed pair for 127.0.0.1 and localhost in a new directory.
	 * @param name what it is for
	 * @return the directory, with {@code tls.crt} and {@code tls.key}
	 */
	static Path selfSigned(String name) {
		Path directory = temporaryDirectory(name);
		selfSigned(directory);
		return directory;
	}

	/** The script users try TLS with, run as they would. */
	static void selfSigned(Path directory) {
		try {
			Process script = new ProcessBuilder("bash", "../docker/self-signed-certificate", directory.toString())
				.redirectErrorStream(true)
				.start();
			String output = new String(script.getInputStream().readAllBytes());
			assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(script.exitValue()).as(output).isZero();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Path temporaryDirectory(String name) {
		try {
			return Files.createTempDirectory(name);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static final class AnyCertificate implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
