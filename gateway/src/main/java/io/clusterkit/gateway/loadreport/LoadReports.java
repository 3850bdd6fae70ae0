package io.clusterkit.gateway.loadreport;

import java.time.Duration;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.LoadReport;
import io.clusterkit.gateway.config.BalancerProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

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
 *
 * @author clusterkit
 */
@Component
public class LoadReports implements SmartLifecycle {

	/** ORCA's HTTP header; a report for this hop, stripped before the client. */
	public static final String HEADER = "endpoint-load-metrics";

	private static final Log logger = LogFactory.getLog(LoadReports.class);

	private static final int MAX_LOGGED = 100;

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
	 * A response of {@code endpoint} started, with this report header.
	 * @param endpoint the instance that answered
	 * @param value the header's value, null when it sent none
	 */
	public void received(Endpoint endpoint, @Nullable String value) {
		if (!this.enabled || value == null) {
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
		this.registry.reportLoad(endpoint, report);
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
