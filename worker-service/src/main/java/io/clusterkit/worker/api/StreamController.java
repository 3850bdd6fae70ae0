package io.clusterkit.worker.api;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A long-lived request: Server-Sent Events, one per interval, then the stream ends.
 *
 * @author clusterkit
 */
@RestController
@RequestMapping(ApiPaths.V1)
class StreamController {

	static final long MAX_EVENTS = 10_000;

	static final long MAX_INTERVAL_MS = 60_000;

	private final InstanceIdentity identity;

	StreamController(InstanceIdentity identity) {
		this.identity = identity;
	}

	@GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<ServerSentEvent<Tick>> stream(@RequestParam(required = false) @Nullable String events,
			@RequestParam(required = false) @Nullable String intervalMs) {
		long count = QueryParameters.bounded("events", events, 10, 1, MAX_EVENTS);
		long interval = QueryParameters.bounded("intervalMs", intervalMs, 1_000, 1, MAX_INTERVAL_MS);
		String instance = this.identity.id();
		// delayElements waits for demand, where Flux.interval fails once a slow reader
		// (a proxy, a busy client) falls one tick behind.
		return Flux.range(1, (int) count)
			.delayElements(Duration.ofMillis(interval))
			.map((sequence) -> ServerSentEvent.builder(new Tick(instance, sequence, count))
				.id(Integer.toString(sequence))
				.event("tick")
				.build());
	}

	record Tick(String instance, int sequence, long of) {
	}

}
