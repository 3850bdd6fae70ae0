package io.clusterkit.worker.api;

import java.time.Duration;
import java.time.Instant;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The cheapest path ({@code hello}, used for throughput) and this instance's own view of
 * itself ({@code instance}).
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

	record Hello(String message, String instance) {
	}

	record InstanceInfo(String instance, String host, int port, Instant startedAt, long uptimeMs, long requestsServed,
			long requestsInFlight) {
	}

}
