package io.clusterkit.gateway.loadbalancer;

import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientInfos;

import org.springframework.cloud.gateway.config.HttpClientCustomizer;

/**
 * Tells a request's {@link Attempts} when the upstream client has sent the whole request
 * and when the response started, from Reactor Netty's own connection states
 * ({@code REQUEST_SENT}, {@code RESPONSE_RECEIVED}): the same instant its response
 * timeout starts from, so latency and timeout both leave a slow upload out. The attempts
 * travel in the subscriber context, put there by {@link InFlightAccountingFilter}; a
 * lookup per state, no allocation.
 *
 * @author clusterkit
 */
final class AttemptTimings implements HttpClientCustomizer {

	@Override
	public HttpClient customize(HttpClient client) {
		return client.doAfterRequest((request, connection) -> {
			Attempts attempts = attemptsOf(request);
			if (attempts != null) {
				attempts.requestSent();
			}
		}).doOnResponse((response, connection) -> {
			Attempts attempts = attemptsOf(response);
			if (attempts != null) {
				attempts.responseStarted();
			}
		});
	}

	private static Attempts attemptsOf(HttpClientInfos exchange) {
		return exchange.currentContextView().getOrDefault(Attempts.class, null);
	}

}
