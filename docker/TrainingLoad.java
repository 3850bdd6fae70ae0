import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of an AOT training run (docker/train): a few keep-alive clients send the requests a cluster mostly serves
 * (GET, small POST body) to one base URL for a fixed time, so that the cache records the classes and method profiles
 * of the request path, not only those of start-up. Compiled in the image's build stage; the runtime images are JREs
 * and cannot run a source file.
 *
 * <pre>java -cp DIR TrainingLoad http://127.0.0.1:19100 60</pre>
 */
public final class TrainingLoad {

	private static final int CLIENTS = 4;

	public static void main(String[] args) throws Exception {
		URI base = URI.create(args[0]);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
		HttpRequest hello = HttpRequest.newBuilder(base.resolve("/api/v1/hello")).timeout(Duration.ofSeconds(5)).build();
		HttpRequest echo = HttpRequest.newBuilder(base.resolve("/api/v1/echo"))
			.timeout(Duration.ofSeconds(5))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("training"))
			.build();
		AtomicLong answered = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		for (int i = 0; i < CLIENTS; i++) {
			clients.execute(() -> {
				for (long n = 0; System.nanoTime() < deadline; n++) {
					try {
						// mostly GETs, as a cluster mostly serves; one in ten with a body
						client.send((n % 10 == 9) ? echo : hello, HttpResponse.BodyHandlers.discarding());
						answered.incrementAndGet();
					}
					catch (Exception ex) {
						failed.incrementAndGet();
					}
				}
			});
		}
		clients.shutdown();
		clients.awaitTermination(Long.parseLong(args[1]) + 30, TimeUnit.SECONDS);
		System.out.printf("training load: %d answered, %d failed%n", answered.get(), failed.get());
		if (answered.get() == 0) {
			System.exit(1);
		}
	}

}
