package io.clusterkit.worker.lifecycle;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.clusterkit.worker.WorkerApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * On shutdown a worker first reports OUT_OF_SERVICE while it keeps answering, for the
 * drain delay, and only then closes its port.
 */
class DrainOnShutdownIntegrationTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	@Test
	void shouldReportOutOfServiceAndKeepServingDuringTheDrainDelay() throws Exception {
		ConfigurableApplicationContext context = SpringApplication.run(WorkerApplication.class, "--server.port=0",
				"--worker.lifecycle.drain-delay=2s", "--spring.main.banner-mode=off");
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		assertThat(status(port, "/actuator/health/readiness")).isEqualTo(200);

		CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
		long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
		while (status(port, "/actuator/health/readiness") == 200 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(status(port, "/actuator/health/readiness")).isEqualTo(503);
		assertThat(status(port, "/api/v1/hello")).isEqualTo(200);

		closing.get(30, TimeUnit.SECONDS);
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> status(port, "/api/v1/hello"));
	}

	private int status(int port, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(2))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

}
