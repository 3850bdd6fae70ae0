package io.clusterkit.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Closed-loop traffic through the gateway, counted by the instance that answered.
 */
public final class Traffic {

	private Traffic() {
	}

	/**
	 * GET {@code /api/v1/hello} {@code requests} times, {@code concurrency} at a time.
	 * @param port the gateway's port
	 * @param requests how many
	 * @param concurrency how many at once
	 * @return answers by {@code X-Instance-Id}
	 */
	public static Map<String, AtomicInteger> hello(int port, int requests, int concurrency) {
		WebClient client = WebClient.create("http://127.0.0.1:" + port);
		Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
		Flux.range(0, requests)
			.flatMap((i) -> client.get().uri("/api/v1/hello").retrieve().toBodilessEntity(), concurrency)
			.doOnNext((response) -> counts
				.computeIfAbsent(response.getHeaders().getFirst("X-Instance-Id"), (id) -> new AtomicInteger())
				.incrementAndGet())
			.blockLast(Duration.ofSeconds(120));
		return counts;
	}

}
