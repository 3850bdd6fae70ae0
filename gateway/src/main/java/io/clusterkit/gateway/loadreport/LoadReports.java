package io.clusterkit.gateway.loadreport;

import java.time.Duration;
import java.time.Instant;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.LoadReport;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.loadbalancer.Attempts;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;

/**
 * The load instances report on their responses (header {@value #HEADER}, ORCA's TEXT
 * encoding, {@link OrcaText}), read into their {@link Endpoint}s, and forgotten once
 * older than {@code cluster.balancer.load-report.max-age}. With several gateways in front
 * of the same workers, each one's least connections then sees what the others have in
 * flight there, which no gateway sees on its own (Envoy reads the same reports for its
 * client-side weighted round robin).
 * <p>
 * A report that cannot be read changes nothing but a DEBUG line: it is the instance's
 * business, never a reason to fail the response that carries it.
 * <p>
 * An instance answering 429 or 503 with {@code Retry-After} asks for fewer requests: it
 * is throttled ({@link Attempts#throttled}), its weight cut for that time, not ejected.
 *
 * @author clusterkit
 */
public class LoadReports implements SmartLifecycle {

	/** ORCA's HTTP header; a report for this hop, stripped before the client. */
	public static final String HEADER = "endpoint-load-metrics";

	private static final Log logger = LogFactory.getLog(LoadReports.class);

	private static final int MAX_LOGGED = 100;

	private static final int TOO_MANY_REQUESTS = 429;

	private static final int SERVICE_UNAVAILABLE = 503;

	private final EndpointRegistry registry;

	private final boolean enabled;

	private final Duration maxAge;

	private volatile @Nullable Disposable expiring;

	LoadReports(EndpointRegistry registry, BalancerProperties properties) {
		this.registry = registry;
		this.enabled = properties.loadReport().enabled();
		this.maxAge = properties.loadReport().maxAge();
	}

	/**
	 * The current attempt's instance started its response.
	 * @param attempts the request's attempts
	 * @param status the response's status
	 * @param headers the response's headers
	 */
	public void answered(Attempts attempts, int status, HttpHeaders headers) {
		Endpoint endpoint = attempts.current();
		if (endpoint == null) {
			return;
		}
		if (status == TOO_MANY_REQUESTS || status == SERVICE_UNAVAILABLE) {
			String retryAfter = headers.get(HttpHeaderNames.RETRY_AFTER);
			Duration wait = (retryAfter != null) ? RetryAfter.parse(retryAfter, Instant.now()) : null;
			if (wait != null && !wait.isZero()) {
				attempts.throttled(wait.toNanos());
			}
		}
		if (this.enabled) {
			received(attempts, endpoint, headers.get(HEADER));
		}
	}

	private void received(Attempts attempts, Endpoint endpoint, @Nullable String value) {
		if (value == null) {
			return;
		}
		LoadReport report = OrcaText.parse(value, this.registry.nanoTime());
		if (report == null) {
			if (logger.isDebugEnabled()) {
				String shown = (value.length() > MAX_LOGGED) ? value.substring(0, MAX_LOGGED) + "..." : value;
				logger.debug("Ignored an unreadable load report of " + endpoint.address() + ": '" + shown + "'");
			}
			return;
		}
		attempts.reported(report);
	}

	@Override
	public void start() {
		if (!this.enabled) {
			return;
		}
		// twice per max-age: no report counts for more than 1.5 times it
		Duration period = this.maxAge.dividedBy(2);
		long maxAgeNanos = this.maxAge.toNanos();
		this.expiring = Flux.interval(period, period).subscribe((tick) -> this.registry.expireLoadReports(maxAgeNanos));
	}

	@Override
	public void stop() {
		Disposable expiring = this.expiring;
		if (expiring != null) {
			expiring.dispose();
			this.expiring = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.expiring != null;
	}

}
