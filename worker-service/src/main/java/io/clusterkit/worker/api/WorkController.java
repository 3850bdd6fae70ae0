package io.clusterkit.worker.api;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Simulated work of a chosen cost: busy CPU on the parallel scheduler (never on an event
 * loop, which would stall every connection it serves), then a non-blocking delay, then a
 * payload of the chosen size.
 *
 * @author clusterkit
 */
@RestController
@RequestMapping(ApiPaths.V1)
class WorkController {

	static final long MAX_CPU_MS = 1_000;

	static final long MAX_SLEEP_MS = 60_000;

	static final long MAX_BYTES = 10 * 1024 * 1024;

	private final InstanceIdentity identity;

	WorkController(InstanceIdentity identity) {
		this.identity = identity;
	}

	@GetMapping("/work")
	Mono<WorkResult> work(@RequestParam(required = false) @Nullable String cpuMs,
			@RequestParam(required = false) @Nullable String sleepMs,
			@RequestParam(required = false) @Nullable String bytes) {
		long cpu = QueryParameters.bounded("cpuMs", cpuMs, 0, 0, MAX_CPU_MS);
		long sleep = QueryParameters.bounded("sleepMs", sleepMs, 0, 0, MAX_SLEEP_MS);
		int size = (int) QueryParameters.bounded("bytes", bytes, 0, 0, MAX_BYTES);
		Mono<Long> burned = (cpu > 0) ? Mono.fromCallable(() -> burn(cpu)).subscribeOn(Schedulers.parallel())
				: Mono.just(0L);
		Mono<Long> slept = (sleep > 0) ? Mono.delay(Duration.ofMillis(sleep)) : Mono.just(0L);
		return burned.then(slept)
			.map((ignored) -> new WorkResult(this.identity.id(), cpu, sleep, size, "x".repeat(size)));
	}

	private static long burn(long millis) {
		long deadline = System.nanoTime() + Duration.ofMillis(millis).toNanos();
		long acc = 0;
		while (System.nanoTime() < deadline) {
			for (int i = 0; i < 1_000; i++) {
				acc = acc * 31 + i;
			}
		}
		return acc;
	}

	record WorkResult(String instance, long cpuMs, long sleepMs, int bytes, String payload) {
	}

}
