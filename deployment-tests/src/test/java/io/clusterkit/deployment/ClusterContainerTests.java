package io.clusterkit.deployment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real images on a real container network: a gateway in the {@code dns} profile and
 * workers sharing the network alias {@code worker}, as compose and a Kubernetes headless
 * Service give them. Neither image runs as root. Traffic reaches every worker; stopping
 * one (SIGTERM, as an orchestrator does) under load loses no GET; a worker added later
 * joins the pool.
 */
@Testcontainers(disabledWithoutDocker = true)
class ClusterContainerTests {

	static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

	static final Network network = Network.newNetwork();

	static final ImageFromDockerfile workerImage = image("worker-service", 9001);

	static final ImageFromDockerfile gatewayImage = image("gateway", 8081);

	static final List<GenericContainer<?>> started = new ArrayList<>();

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	static final ExecutorService starters = Executors.newFixedThreadPool(3);

	@AfterAll
	static void removeEverything() {
		starters.shutdown();
		started.forEach(GenericContainer::stop);
		network.close();
	}

	/**
	 * Start a container, again if its published port was taken: podman picks a host port
	 * the kernel called free and binds it later, and an outbound connection can take it
	 * in between ("address already in use"). Another pick is all a retry needs.
	 */
	private static void start(GenericContainer<?> container) {
		for (int attempt = 1;; attempt++) {
			try {
				container.start();
				return;
			}
			catch (RuntimeException ex) {
				if (attempt == 3 || !portTaken(ex)) {
					throw ex;
				}
				container.stop();
			}
		}
	}

	private static boolean portTaken(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (String.valueOf(cause.getMessage()).contains("address already in use")) {
				return true;
			}
		}
		return false;
	}

	@Test
	void shouldBalanceOverTheWorkersByDnsAndFollowThemLeavingAndJoining() throws Exception {
		List<GenericContainer<?>> workers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			workers.add(worker());
		}
		CompletableFuture
			.allOf(workers.stream()
				.map((worker) -> CompletableFuture.runAsync(() -> start(worker), starters))
				.toArray(CompletableFuture[]::new))
			.join();
		GenericContainer<?> gateway = track(new GenericContainer<>(gatewayImage).withNetwork(network)
			.withEnv("SPRING_PROFILES_ACTIVE", "dns")
			.withEnv("CLUSTER_DISCOVERY_DNS_REFRESH_INTERVAL", "1s")
			.withExposedPorts(8080, 8081)
			.waitingFor(Wait.forHttp("/actuator/health/readiness")
				.forPort(8081)
				.withStartupTimeout(Duration.ofMinutes(3))));
		start(gateway);
		URI hello = URI.create("http://" + gateway.getHost() + ":" + gateway.getMappedPort(8080) + "/api/v1/hello");

		awaitTrue(() -> instancesAnswering(hello, 30).size() == 3, Duration.ofSeconds(60));
		// neither image runs as root
		assertThat(gateway.execInContainer("id", "-u").getStdout().strip()).isEqualTo("10001");
		assertThat(workers.get(0).execInContainer("id", "-u").getStdout().strip()).isEqualTo("10001");

		AtomicBoolean loading = new AtomicBoolean(true);
		ExecutorService clients = Executors.newFixedThreadPool(4);
		List<Future<List<String>>> load = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			load.add(clients.submit(() -> {
				List<String> failures = new ArrayList<>();
				while (loading.get()) {
					try {
						HttpResponse<Void> response = http.send(HttpRequest.newBuilder(hello).build(),
								HttpResponse.BodyHandlers.discarding());
						if (response.statusCode() != 200) {
							failures.add("status " + response.statusCode());
						}
					}
					catch (Exception ex) {
						failures.add(ex.toString());
					}
				}
				return failures;
			}));
		}
		Thread.sleep(2000);
		GenericContainer<?> leaving = workers.get(2);
		DockerClientFactory.instance().client().stopContainerCmd(leaving.getContainerId()).withTimeout(30).exec();
		Thread.sleep(3000);
		loading.set(false);
		List<String> failures = new ArrayList<>();
		for (Future<List<String>> client : load) {
			failures.addAll(client.get());
		}
		clients.shutdown();
		assertThat(failures).as("failed GETs while a worker stopped").isEmpty();
		awaitTrue(() -> instancesAnswering(hello, 30).size() == 2, Duration.ofSeconds(30));

		GenericContainer<?> joining = worker();
		start(joining);
		awaitTrue(() -> instancesAnswering(hello, 40).size() == 3, Duration.ofSeconds(60));
	}

	private static GenericContainer<?> worker() {
		return track(new GenericContainer<>(workerImage).withNetwork(network)
			.withNetworkAliases("worker")
			.withExposedPorts(9001)
			.waitingFor(Wait.forHttp("/actuator/health/readiness")
				.forPort(9001)
				.withStartupTimeout(Duration.ofMinutes(3))));
	}

	/** Every container made is removed after the tests, whatever happened. */
	private static GenericContainer<?> track(GenericContainer<?> container) {
		started.add(container);
		return container;
	}

	private static Set<String> instancesAnswering(URI uri, int requests) {
		Set<String> instances = new HashSet<>();
		for (int i = 0; i < requests; i++) {
			try {
				http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
					.headers()
					.firstValue("X-Instance-Id")
					.ifPresent(instances::add);
			}
			catch (Exception ex) {
				// counted as not answering
			}
		}
		return instances;
	}

	/**
	 * The image as {@code docker compose up --build} makes it, from source: the build
	 * context holds what the Dockerfile's build stage reads (the .dockerignore's list).
	 * With {@code MAVEN_MIRROR_URL} set (CI: .ci/maven-mirror), that stage reads the
	 * host's Maven repository on the host's network instead of Maven Central.
	 */
	private static ImageFromDockerfile image(String app, int healthPort) {
		ImageFromDockerfile image = new ImageFromDockerfile("clusterkit/" + app + "-test", true);
		for (String path : List.of("Dockerfile", ".mvn", "mvnw", "pom.xml", "docker", "deployment-tests/pom.xml")) {
			image.withFileFromPath(path, ROOT.resolve(path));
		}
		for (String module : List.of("web-conventions", "worker-service", "gateway")) {
			image.withFileFromPath(module + "/pom.xml", ROOT.resolve(module + "/pom.xml"));
			image.withFileFromPath(module + "/src", ROOT.resolve(module + "/src"));
		}
		Map<String, String> env = System.getenv();
		image.withBuildArg("APP", app)
			.withBuildArg("HEALTHCHECK_PORT", String.valueOf(healthPort))
			.withBuildArg("JDK_IMAGE", env.getOrDefault("JDK_IMAGE", "eclipse-temurin:25-jdk"))
			.withBuildArg("JRE_IMAGE", env.getOrDefault("JRE_IMAGE", "eclipse-temurin:25-jre"));
		String mirror = env.get("MAVEN_MIRROR_URL");
		if (mirror != null) {
			image.withBuildArg("MAVEN_MIRROR_URL", mirror)
				.withBuildImageCmdModifier((cmd) -> cmd.withNetworkMode("host"));
		}
		return image;
	}

	private static void awaitTrue(Supplier<Boolean> condition, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.get()) {
			assertThat(System.nanoTime()).as("condition not met within " + timeout).isLessThan(deadline);
			Thread.sleep(500);
		}
	}

}
