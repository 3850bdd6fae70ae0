package io.clusterkit.gateway;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real worker processes on free loopback ports, launched from the worker module's
 * executable jar: what the gateway talks to in production, not a mock. Instance ids are
 * {@code worker-1}, {@code worker-2}, ...
 * <p>
 * The one worker-cluster fixture: a test class holds it as
 * {@code @RegisterExtension static final WorkerProcesses workers = WorkerProcesses.start(n)};
 * the workers stop after the class, and every Spring context the class (or its
 * {@code @Nested} classes) starts gets them as its static {@code worker-service} list
 * ({@link WorkerDiscovery}), with what {@link #withInstance} and {@link #withMetadata}
 * add. A context that lists its own instances in its inlined properties keeps its list.
 */
public final class WorkerProcesses implements AutoCloseable, AfterAllCallback {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private static final String INSTANCES = "spring.cloud.discovery.client.simple.instances.worker-service";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	/**
	 * Every worker process still running. A test class that JUnit prepares but then
	 * disables (a condition) has started its workers and never stops them: they are
	 * killed when the test JVM exits, so no run leaves workers behind.
	 */
	private static final Set<Process> running = ConcurrentHashMap.newKeySet();

	/**
	 * Every port this JVM has given a worker: the kernel may hand a just-closed port out
	 * again, and two workers listed on one port would make one of them answer twice.
	 */
	private static final Set<Integer> portsGiven = ConcurrentHashMap.newKeySet();

	/** Start-up attempts per worker when its port turns out to be someone else's. */
	private static final int LAUNCH_ATTEMPTS = 3;

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> running.forEach(Process::destroyForcibly), "worker-processes-reaper"));
	}

	private final List<Worker> workers;

	/** Discovery settings beyond the workers' own: another instance, some metadata. */
	private final Map<String, Object> extraDiscovery = new LinkedHashMap<>();

	private WorkerProcesses(List<Worker> workers) {
		this.workers = workers;
	}

	/**
	 * Start {@code count} workers and wait until each is ready.
	 * @param count how many workers
	 * @param extraArgs per-worker extra arguments by index, e.g. a fault knob for one
	 * @return the running workers
	 */
	public static WorkerProcesses start(int count, String[]... extraArgs) {
		return start(IntStream.range(0, count)
			.mapToObj((i) -> new Worker("worker-" + (i + 1), freePort(),
					(i < extraArgs.length) ? List.of(extraArgs[i]) : List.of(), "http", http))
			.toList());
	}

	/**
	 * Start {@code count} workers that speak TLS (their arguments say how), and wait
	 * until each is ready, asking as a client of {@code tls}.
	 * @param count how many workers
	 * @param tls the client side of TLS the readiness checks use
	 * @param args arguments of every worker
	 * @return the running workers, listed with {@code https} URIs
	 */
	public static WorkerProcesses startOverTls(int count, SSLContext tls, String... args) {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).sslContext(tls).build();
		return start(IntStream.range(0, count)
			.mapToObj((i) -> new Worker("worker-" + (i + 1), freePort(), List.of(args), "https", client))
			.toList());
	}

	private static WorkerProcesses start(List<Worker> workers) {
		WorkerProcesses processes = new WorkerProcesses(workers);
		try {
			workers.forEach(Worker::launch);
			workers.forEach(Worker::awaitReadyOnSomeFreePort);
		}
		catch (RuntimeException ex) {
			processes.close();
			throw ex;
		}
		return processes;
	}

	public int size() {
		return this.workers.size();
	}

	public String uri(int index) {
		Worker worker = this.workers.get(index);
		return worker.scheme + "://127.0.0.1:" + worker.port;
	}

	public String id(int index) {
		return this.workers.get(index).id;
	}

	/**
	 * The workers as the gateway's static {@code worker-service} instances.
	 * @return the discovery settings, by key
	 */
	Map<String, Object> discoveryProperties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		for (int i = 0; i < this.workers.size(); i++) {
			properties.put(INSTANCES + "[" + i + "].uri", uri(i));
		}
		properties.putAll(this.extraDiscovery);
		return properties;
	}

	/**
	 * List one more instance after the workers, one that is no worker of these (an
	 * unreachable address, say).
	 * @param uri its URI
	 * @return these workers
	 */
	public WorkerProcesses withInstance(String uri) {
		this.extraDiscovery.put(INSTANCES + "[" + (this.workers.size() + countInstancesAdded()) + "].uri", uri);
		return this;
	}

	/**
	 * Give a listed instance discovery metadata.
	 * @param index the instance, as listed
	 * @param key the metadata key, such as {@code weight}
	 * @param value its value
	 * @return these workers
	 */
	public WorkerProcesses withMetadata(int index, String key, String value) {
		this.extraDiscovery.put(INSTANCES + "[" + index + "].metadata." + key, value);
		return this;
	}

	private long countInstancesAdded() {
		return this.extraDiscovery.keySet().stream().filter((key) -> key.endsWith("].uri")).count();
	}

	/**
	 * What a worker wrote to its console so far.
	 * @param index the worker
	 * @return its log
	 */
	public String log(int index) {
		return this.workers.get(index).readLog();
	}

	public int port(int index) {
		return this.workers.get(index).port;
	}

	/**
	 * SIGKILL a worker: no drain, no goodbye, as in a crash.
	 * @param index the worker
	 */
	public void kill(int index) {
		Worker worker = this.workers.get(index);
		worker.process.destroyForcibly();
		worker.awaitExit();
	}

	/**
	 * SIGTERM a worker and wait until it has drained and exited.
	 * @param index the worker
	 */
	public void stop(int index) {
		Worker worker = this.workers.get(index);
		worker.terminate();
		worker.awaitExit();
	}

	/**
	 * Start a stopped worker again on its port and wait until it is ready.
	 * @param index the worker
	 */
	public void restart(int index) {
		Worker worker = this.workers.get(index);
		worker.launch();
		worker.awaitReady();
	}

	/**
	 * Stop the workers after the class that holds them; {@code @Nested} classes inherit
	 * the extension, and their end is not the end of the workers.
	 */
	@Override
	public void afterAll(ExtensionContext context) {
		if (WorkerDiscovery.staticWorkers(context.getRequiredTestClass()) == this) {
			close();
		}
	}

	/** SIGTERM every worker at once (each drains for its delay), then wait for all. */
	@Override
	public void close() {
		this.workers.forEach(Worker::terminate);
		this.workers.forEach(Worker::awaitExit);
	}

	static int freePort() {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (portsGiven.add(socket.getLocalPort())) {
					return socket.getLocalPort();
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private static final class Worker {

		private final String id;

		private int port;

		private final List<String> extraArgs;

		private final String scheme;

		private final HttpClient client;

		private Process process;

		Worker(String id, int port, List<String> extraArgs, String scheme, HttpClient client) {
			this.id = id;
			this.port = port;
			this.extraArgs = extraArgs;
			this.scheme = scheme;
			this.client = client;
		}

		Path logFile() {
			return Path.of("target", "worker-logs", this.id + "-" + this.port + ".log");
		}

		String readLog() {
			try {
				return Files.readString(logFile());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		void launch() {
			String jar = System.getProperty("worker.jar");
			if (jar == null || !new File(jar).isFile()) {
				throw new IllegalStateException("Worker jar not found at '" + jar
						+ "': run the build from the top (./mvnw verify) so worker-service is packaged first");
			}
			List<String> command = new ArrayList<>(
					Arrays.asList(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
							"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m", "-jar", jar,
							"--server.port=" + this.port, "--worker.instance-id=" + this.id));
			if (this.extraArgs.stream().noneMatch((arg) -> arg.startsWith("--server.address="))) {
				// loopback unless a test binds elsewhere (every 127.x address, say)
				command.add("--server.address=127.0.0.1");
			}
			command.addAll(this.extraArgs);
			try {
				Files.createDirectories(logFile().getParent());
				this.process = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(logFile().toFile())
					.start();
				running.add(this.process);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * Wait until ready; a port another process took between {@link #freePort} and the
		 * worker's bind gets the worker a new port, since a test only needs one that is
		 * its own.
		 */
		void awaitReadyOnSomeFreePort() {
			for (int attempt = 1;; attempt++) {
				try {
					awaitReady();
					return;
				}
				catch (PortTakenException ex) {
					if (attempt == LAUNCH_ATTEMPTS) {
						throw ex;
					}
					terminate();
					awaitExit();
					this.port = freePort();
					launch();
				}
			}
		}

		void awaitReady() {
			HttpRequest probe = HttpRequest
				.newBuilder(URI.create(this.scheme + "://127.0.0.1:" + this.port + "/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(2))
				.build();
			long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline) {
				if (!this.process.isAlive()) {
					if (readLog().contains("already in use")) {
						throw new PortTakenException(this.id + ": port " + this.port + " is taken");
					}
					throw new IllegalStateException(this.id + " exited with " + this.process.exitValue()
							+ " during start-up; see " + logFile());
				}
				try {
					HttpResponse<Void> response = this.client.send(probe, HttpResponse.BodyHandlers.discarding());
					String answeredBy = response.headers().firstValue("X-Instance-Id").orElse("another server");
					if (!answeredBy.equals(this.id)) {
						throw new PortTakenException(this.id + ": port " + this.port + " is answered by " + answeredBy);
					}
					if (response.statusCode() == 200) {
						return;
					}
				}
				catch (IOException ex) {
					// not listening yet
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
				sleep(Duration.ofMillis(200));
			}
			throw new IllegalStateException(this.id + " not ready within " + STARTUP_TIMEOUT);
		}

		void terminate() {
			if (this.process != null) {
				this.process.destroy();
			}
		}

		void awaitExit() {
			if (this.process == null) {
				return;
			}
			try {
				if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor();
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
			running.remove(this.process);
		}

	}

	private static final class PortTakenException extends IllegalStateException {

		PortTakenException(String message) {
			super(message);
		}

	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
