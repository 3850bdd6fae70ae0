package io.clusterkit.worker.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import io.clusterkit.worker.WorkerProperties;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Who this instance is, and how much it has served. The port, and so the default id, are
 * known only once the web server has bound, which happens before any request arrives.
 *
 * @author clusterkit
 */
@Component
public class InstanceIdentity implements ApplicationListener<WebServerInitializedEvent> {

	private final String configuredId;

	private final String host = localHostName();

	private final Instant startedAt = Instant.now();

	private final LongAdder served = new LongAdder();

	private final LongAdder inFlight = new LongAdder();

	private volatile int port;

	private volatile String id = "";

	InstanceIdentity(WorkerProperties properties) {
		this.configuredId = StringUtils.hasText(properties.instanceId()) ? properties.instanceId().strip() : null;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (event.getApplicationContext().getServerNamespace() != null) {
			return;
		}
		this.port = event.getWebServer().getPort();
		this.id = (this.configuredId != null) ? this.configuredId : this.host + ":" + this.port;
	}

	public String id() {
		return this.id;
	}

	String host() {
		return this.host;
	}

	int port() {
		return this.port;
	}

	Instant startedAt() {
		return this.startedAt;
	}

	long served() {
		return this.served.sum();
	}

	long inFlight() {
		return this.inFlight.sum();
	}

	void requestStarted() {
		this.inFlight.increment();
	}

	void requestEnded() {
		this.inFlight.decrement();
		this.served.increment();
	}

	private static String localHostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

}
