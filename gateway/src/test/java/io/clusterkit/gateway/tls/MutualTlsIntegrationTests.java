package io.clusterkit.gateway.tls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import io.clusterkit.gateway.Await;
import io.clusterkit.gateway.Traffic;
import io.clusterkit.gateway.WorkerProcesses;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.health.ActiveHealthChecker;
import io.clusterkit.gateway.health.RiseFall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Mutual TLS between the gateway and its workers: workers with their {@code mtls}
 * profile, the gateway with {@code upstream-tls}, each with a pair made by
 * {@code docker/self-signed-certificate}. Proxied requests, WebSockets and health probes
 * reach the workers with the gateway's certificate; a client without it is refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "management.server.port=0" })
@ActiveProfiles("upstream-tls")
@AutoConfigureWebTestClient
@DirtiesContext
class MutualTlsIntegrationTests {

	static final Path WORKERS = TlsIntegrationTests.selfSigned("workers");

	static final Path GATEWAY = TlsIntegrationTests.selfSigned("gateway");

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.startOverTls(2,
			context(GATEWAY.resolve("tls.crt"), GATEWAY.resolve("tls.key"), WORKERS.resolve("tls.crt")),
			"--spring.profiles.active=mtls", "--TLS_CERTIFICATE=file:" + WORKERS.resolve("tls.crt"),
			"--TLS_PRIVATE_KEY=file:" + WORKERS.resolve("tls.key"),
			"--TLS_CLIENT_CA=file:" + GATEWAY.resolve("tls.crt"));

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient client;

	@Autowired
	EndpointRegistry registry;

	@Autowired
	ActiveHealthChecker checker;

	@DynamicPropertySource
	static void gatewayCertificate(DynamicPropertyRegistry registry) {
		registry.add("UPSTREAM_TLS_CERTIFICATE", () -> "file:" + GATEWAY.resolve("tls.crt"));
		registry.add("UPSTREAM_TLS_PRIVATE_KEY", () -> "file:" + GATEWAY.resolve("tls.key"));
		registry.add("UPSTREAM_TLS_CA", () -> "file:" + WORKERS.resolve("tls.crt"));
	}

	@Test
	void shouldProxyAndProbeWithTheGatewaysCertificate() {
		for (int i = 0; i < 4; i++) {
			this.client.get().uri("/api/v1/hello").exchange().expectStatus().isOk();
		}
		assertThat(this.registry.endpoints()).hasSize(2).allSatisfy((endpoint) -> {
			assertThat(endpoint.address()).startsWith("127.0.0.1:");
			assertThat(endpoint.sent()).as("requests sent to " + endpoint.address()).isPositive();
		});
		Await.until("a successful probe of each worker", Duration.ofSeconds(10),
				() -> this.registry.endpoints().stream().allMatch(this::probedSuccessfully));
	}

	@Test
	void shouldProxyAWebSocketWithTheGatewaysCertificate() {
		assertThat(Traffic.echoOverWebSocket(this.port, "alpha", "beta")).containsExactly("alpha", "beta");
	}

	@Test
	void shouldRefuseAClientWithoutTheCertificate() throws Exception {
		SSLContext trustingOnly = context(null, null, WORKERS.resolve("tls.crt"));
		HttpClient stranger = HttpClient.newBuilder().sslContext(trustingOnly).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(workers.uri(0) + "/api/v1/hello"))
			.timeout(Duration.ofSeconds(10))
			.build();
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> stranger.send(request, HttpResponse.BodyHandlers.ofString()));
	}

	private boolean probedSuccessfully(Endpoint endpoint) {
		RiseFall.Result probe = this.checker.lastProbe("worker-service", endpoint);
		return probe != null && probe.success();
	}

	/** A TLS client context from PEM files, through Spring Boot's own bundles. */
	static SSLContext context(Path certificate, Path key, Path trusted) {
		PemSslStoreDetails keyStore = (certificate != null)
				? PemSslStoreDetails.forCertificate("file:" + certificate).withPrivateKey("file:" + key) : null;
		PemSslStoreDetails trustStore = PemSslStoreDetails.forCertificate("file:" + trusted);
		return SslBundle.of(new PemSslStoreBundle(keyStore, trustStore)).createSslContext();
	}

}
