package io.clusterkit.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * Traffic through the gateway: closed-loop requests counted by the instance that
 * answered, and a WebSocket round trip.
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

	/**
	 * Send text frames over {@code /ws/echo} and read as many back.
	 * @param port the gateway's port
	 * @param messages the frames to send
	 * @return the frames echoed, in order
	 */
	public static List<String> echoOverWebSocket(int port, String... messages) {
		List<String> received = new CopyOnWriteArrayList<>();
		new ReactorNettyWebSocketClient()
			.execute(URI.create("ws://127.0.0.1:" + port + "/ws/echo"),
					(session) -> session.send(Flux.just(messages).map(session::textMessage))
						.thenMany(session.receive().take(messages.length).map(WebSocketMessage::getPayloadAsText))
						.doOnNext(received::add)
						.then())
			.block(Duration.ofSeconds(10));
		return received;
	}

}
