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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Real worker processes on free loopback ports, launched from the worker module's
 * executable jar: what the gateway talks to in production, not a mock. Instance ids are
 * {@code worker-1}, {@code worker-2}, ...
 */
public final class WorkerProcesses implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final List<Worker> workers;

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
		List<Worker> workers = IntStream.range(0, count)
			.mapToObj((i) -> new Worker("worker-" + (i + 1), freePort(),
					(i < extraArgs.length) ? List.of(extraArgs[i]) : List.of()))
			.toList();
		WorkerProcesses processes = new WorkerProcesses(workers);
		try {
			workers.forEach(Worker::launch);
			workers.forEach(Worker::awaitReady);
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
		return "http://127.0.0.1:" + this.workers.get(index).port;
	}

	public String id(int index) {
		return this.workers.get(index).id;
	}

	/**
	 * Register the workers as the gateway's static {@code worker-service} instances.
	 * @param registry the test's dynamic properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		for (int i = 0; i < this.workers.size(); i++) {
			int index = i;
			registry.add("spring.cloud.discovery.client.simple.instances.worker-service[" + i + "].uri",
					() -> uri(index));
		}
	}

	/**
	 * What a worker wrote to its console so far.
	 * @param index the worker
	 * @return its log
	 */
	public String log(int index) {
		Worker worker = this.workers.get(index);
		try {
			return Files.readString(worker.logFile());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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

	/** SIGTERM every worker at once (each drains for its delay), then wait for all. */
	@Override
	public void close() {
		this.workers.forEach(Worker::terminate);
		this.workers.forEach(Worker::awaitExit);
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static final class Worker {

		private final String id;

		private final int port;

		private final List<String> extraArgs;

		private Process process;

		Worker(String id, int port, List<String> extraArgs) {
			this.id = id;
			this.port = port;
			this.extraArgs = extraArgs;
		}

		Path logFile() {
			return Path.of("target", "worker-logs", this.id + "-" + this.port + ".log");
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
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		void awaitReady() {
			HttpRequest probe = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(2))
				.build();
			long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline) {
				if (!this.process.isAlive()) {
					throw new IllegalStateException(this.id + " exited with " + this.process.exitValue()
							+ " during start-up; see target/worker-logs");
				}
				try {
					if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
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
