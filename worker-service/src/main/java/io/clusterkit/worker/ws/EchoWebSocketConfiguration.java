package io.clusterkit.worker.ws;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * {@code /ws/echo}: every text frame comes back as it was sent; binary frames are refused
 * by closing with 1003 (unsupported data), as RFC 6455 prescribes.
 *
 * @author clusterkit
 */
@Configuration(proxyBeanMethods = false)
class EchoWebSocketConfiguration {

	static final String PATH = "/ws/echo";

	@Bean
	HandlerMapping webSocketMapping() {
		return new SimpleUrlHandlerMapping(Map.of(PATH, (WebSocketHandler) EchoWebSocketConfiguration::echo),
				Ordered.HIGHEST_PRECEDENCE);
	}

	private static Mono<Void> echo(WebSocketSession session) {
		return session
			.send(session.receive()
				.takeWhile((message) -> message.getType() == WebSocketMessage.Type.TEXT
						|| message.getType() == WebSocketMessage.Type.PING
						|| message.getType() == WebSocketMessage.Type.PONG)
				.filter((message) -> message.getType() == WebSocketMessage.Type.TEXT)
				.map((message) -> session.textMessage(message.getPayloadAsText())))
			.then(Mono.defer(() -> session.isOpen() ? session.close(CloseStatus.NOT_ACCEPTABLE) : Mono.empty()));
	}

}
