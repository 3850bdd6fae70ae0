package io.clusterkit.worker.api;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The cheapest path ({@code hello}, used for throughput), this instance's own view of
 * itself ({@code instance}) and of the request it was sent ({@code whoami}).
 *
 * @author clusterkit
 */
@RestController
@RequestMapping(ApiPaths.V1)
class HelloController {

	static final int MAX_NAME_LENGTH = 100;

	private final InstanceIdentity identity;

	HelloController(InstanceIdentity identity) {
		this.identity = identity;
	}

	@GetMapping("/hello")
	Hello hello(@RequestParam(defaultValue = "world") String name) {
		if (name.length() > MAX_NAME_LENGTH) {
			throw QueryParameters.invalid("name", name, "must be at most " + MAX_NAME_LENGTH + " characters");
		}
		return new Hello("Hello, " + name + "!", this.identity.id());
	}

	@GetMapping("/instance")
	InstanceInfo instance() {
		Instant startedAt = this.identity.startedAt();
		return new InstanceInfo(this.identity.id(), this.identity.host(), this.identity.port(), startedAt,
				Duration.between(startedAt, Instant.now()).toMillis(), this.identity.served(),
				this.identity.inFlight());
	}

	/**
	 * The request as it arrived here: the client's address (from the gateway's
	 * {@code Forwarded}/{@code X-Forwarded-For}, which this worker trusts, see
	 * {@code server.forward-headers-strategy}), the {@code Host} it was sent to, and
	 * every header, lower-cased.
	 */
	@GetMapping("/whoami")
	Whoami whoami(ServerHttpRequest request) {
		Map<String, List<String>> headers = new TreeMap<>();
		request.getHeaders()
			.headerSet()
			.forEach((header) -> headers.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
		InetSocketAddress client = request.getRemoteAddress();
		return new Whoami(this.identity.id(),
				(client != null && client.getAddress() != null) ? client.getAddress().getHostAddress() : null,
				request.getHeaders().getFirst(HttpHeaders.HOST), headers);
	}

	record Hello(String message, String instance) {
	}

	record Whoami(String instance, @Nullable String client, @Nullable String host, Map<String, List<String>> headers) {
	}

	record InstanceInfo(String instance, String host, int port, Instant startedAt, long uptimeMs, long requestsServed,
			long requestsInFlight) {
	}

}
