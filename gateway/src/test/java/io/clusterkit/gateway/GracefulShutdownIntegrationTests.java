package io.clusterkit.gateway;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * What SIGTERM does to the gateway (the JVM's shutdown hook closes the context): it stops
 * accepting connections, lets the proxied requests in flight finish, then exits.
 */
class GracefulShutdownIntegrationTests {

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(1,
			new String[] { "--worker.faults.extra-latency=2s" });

	@Test
	void shouldFinishInFlightRequestsAndRefuseNewConnectionsWhenClosing() throws Exception {
		ConfigurableApplicationContext gateway = SpringApplication.run(GatewayApplication.class, "--server.port=0",
				"--management.server.port=0", "--spring.main.banner-mode=off",
				"--spring.cloud.discovery.client.simple.instances.worker-service[0].uri=" + workers.uri(0));
		int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
		EndpointRegistry registry = gateway.getBean(EndpointRegistry.class);

		// the JDK's client: Reactor Netty's shared resources close with the gateway's
		// context
		CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient()
			.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/hello")).build(),
					HttpResponse.BodyHandlers.ofString());
		Await.until("the request at the worker", Duration.ofSeconds(10),
				() -> !registry.endpoints().isEmpty() && registry.endpoints().get(0).inFlight() == 1);
		CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
		Await.sleep(300);

		assertThat(closing).as("closes only once the request in flight is answered").isNotDone();
		assertThatIOException().as("new connections while draining").isThrownBy(() -> {
			try (Socket socket = new Socket("127.0.0.1", port)) {
				socket.getOutputStream().write("GET /api/v1/hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
				if (socket.getInputStream().read() < 0) {
					throw new IOException("closed without an answer");
				}
			}
		});
		HttpResponse<String> answer = slow.get(10, TimeUnit.SECONDS);
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("X-Instance-Id")).hasValue("worker-1");
		closing.get(20, TimeUnit.SECONDS);
		assertThat(gateway.isActive()).isFalse();
	}

}
