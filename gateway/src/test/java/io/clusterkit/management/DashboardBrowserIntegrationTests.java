package io.clusterkit.management;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.clusterkit.gateway.GatewayApplication;
import io.clusterkit.gateway.WorkerProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live dashboard in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromedriver}; skipped where they are not installed, {@code .ci/run} installs
 * them) while three real workers serve a steady load through the gateway: a card and a
 * line per instance, numbers that move, and the drain button's effect on both. Leaves
 * {@code target/dashboard.png} and {@code target/dashboard-drained.png}.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"cluster.admin.password=" + DashboardBrowserIntegrationTests.PASSWORD,
				"cluster.balancer.slow-start.window=0s" })
@DirtiesContext
@EnabledIf("io.clusterkit.management.Browser#installed")
class DashboardBrowserIntegrationTests {

	static final String PASSWORD = "s3cret";

	static final Duration PATIENCE = Duration.ofSeconds(60);

	@RegisterExtension
	static final WorkerProcesses workers = WorkerProcesses.start(3);

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	final AtomicBoolean loading = new AtomicBoolean(true);

	final AtomicLong failures = new AtomicLong();

	ExecutorService load;

	ChromeDriver browser;

	Path profile;

	@BeforeEach
	void startLoadAndBrowser() throws IOException {
		// Four closed loops of 20 ms requests: ~150 requests/s, a few always in flight.
		HttpClient http = HttpClient.newHttpClient();
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/work?sleepMs=20"))
			.build();
		this.load = Executors.newFixedThreadPool(4);
		for (int i = 0; i < 4; i++) {
			this.load.execute(() -> {
				while (this.loading.get()) {
					try {
						if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
							this.failures.incrementAndGet();
						}
					}
					catch (IOException | InterruptedException ex) {
						this.failures.incrementAndGet();
					}
				}
			});
		}
		this.profile = Files.createTempDirectory("chromium-profile");
		ChromeOptions options = new ChromeOptions().setBinary(Browser.CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
					"--disable-sync", "--window-size=1400,1100", "--user-data-dir=" + this.profile);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(Browser.CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
	}

	@AfterEach
	void stopLoadAndBrowser() throws InterruptedException {
		this.loading.set(false);
		this.load.shutdown();
		this.load.awaitTermination(10, TimeUnit.SECONDS);
		this.browser.quit();
	}

	@Test
	void shouldShowEveryInstanceLiveAndTheEffectOfDrainingOne() throws IOException {
		String origin = "http://127.0.0.1:" + this.managementPort;
		this.browser.get(origin + "/actuator/dashboard");
		List<String> addresses = List.of(address(0), address(1), address(2));

		waitUntil(() -> addresses.stream().allMatch((address) -> "UP".equals(state(address)) && rps(address) > 0));
		assertThat(
				this.browser.findElement(By.cssSelector("section[data-service='worker-service'] .algorithm")).getText())
			.isEqualTo("least-connections");
		for (String chart : List.of("rps", "inFlight", "p99")) {
			assertThat(lastValues(chart)).as(chart).containsOnlyKeys(addresses);
		}
		waitUntil(() -> lastValues("p99").values().stream().allMatch(DashboardBrowserIntegrationTests::positive));
		// each worker's own load report, beside the gateway's view
		waitUntil(() -> addresses.stream()
			.allMatch(
					(address) -> card(address).findElement(By.className("reported")).getText().contains("elsewhere")));
		assertThat(this.browser.findElement(By.id("status")).getText()).isEqualTo("live");
		screenshot("dashboard.png");

		// The drain button POSTs as the operator: the browser would ask for the password;
		// here it goes with every request.
		this.browser.executeCdpCommand("Network.enable", Map.of());
		this.browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", "Basic "
				+ Base64.getEncoder().encodeToString(("operator:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))));
		String drained = address(1);
		card(drained).findElement(By.cssSelector("button[data-action='drain']")).click();

		waitUntil(() -> "DRAINING".equals(state(drained)) && rps(drained) == 0);
		assertThat(card(drained).findElement(By.cssSelector(".actions button")).getText()).isEqualTo("Undrain");
		waitUntil(() -> {
			Map<String, Double> rps = lastValues("rps");
			return Double.valueOf(0).equals(rps.get(drained)) && positive(rps.get(address(0)))
					&& positive(rps.get(address(2)));
		});
		screenshot("dashboard-drained.png");

		assertThat(resources()).as("everything the page loaded came from the gateway")
			.allMatch((url) -> url.startsWith(origin + "/"));
		assertThat(this.failures).hasValue(0);
	}

	private static boolean positive(Double value) {
		return value != null && value > 0;
	}

	private String address(int worker) {
		return "127.0.0.1:" + workers.port(worker);
	}

	private WebElement card(String address) {
		return this.browser.findElement(By.cssSelector(".card[data-instance='" + address + "']"));
	}

	private String state(String address) {
		List<WebElement> cards = this.browser.findElements(By.cssSelector(".card[data-instance='" + address + "']"));
		return cards.isEmpty() ? null : cards.get(0).getDomAttribute("data-state");
	}

	private double rps(String address) {
		String text = card(address).findElement(By.className("rps")).getText().replace(",", "");
		return text.matches("[0-9.]+") ? Double.parseDouble(text) : -1;
	}

	/**
	 * The newest point of every line of one chart, read from Chart.js itself.
	 */
	@SuppressWarnings("unchecked")
	private Map<String, Double> lastValues(String chart) {
		List<List<Object>> points = (List<List<Object>>) ((JavascriptExecutor) this.browser)
			.executeScript("return Chart.getChart(document.querySelector(\"section[data-service='worker-service'] "
					+ "canvas[data-chart='" + chart + "']\")).data.datasets.map((d) => [d.label, d.data.at(-1)]);");
		Map<String, Double> values = new HashMap<>();
		for (List<Object> point : points) {
			values.put((String) point.get(0), (point.get(1) != null) ? ((Number) point.get(1)).doubleValue() : null);
		}
		return values;
	}

	@SuppressWarnings("unchecked")
	private List<String> resources() {
		return new ArrayList<>((List<String>) ((JavascriptExecutor) this.browser)
			.executeScript("return [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)];"));
	}

	private void waitUntil(BooleanSupplier condition) {
		new WebDriverWait(this.browser, PATIENCE).until((driver) -> condition.getAsBoolean());
	}

	private void screenshot(String name) throws IOException {
		Path file = this.browser.getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(file, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
	}

}
