package io.clusterkit.gateway.health;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Passive health, as Envoy's {@code Outlier::Detector}: detectors fed through the
 * registry's listener by the verdicts on attempts ({@code loadbalancer/Blame}) and by
 * their latencies, one ejection path under one guard, and readmission on a successful
 * active probe once the ejection time is over. Each instance has a monitor: its
 * {@link ConsecutiveFailures}, its {@link LatencyWindow} and its {@link EjectionBackoff};
 * {@link LatencyOutliers} judges the windows of a service together every interval.
 * <p>
 * A readmitted instance is on probation: it is judged against its peers' last windows as
 * soon as it has served {@code min-requests} responses, not at the end of the next
 * interval, so an instance still slow goes out again after a handful of requests, not
 * after a window's worth of them. Readiness probes say an instance answers, not that it
 * is fast again; only the requests it serves can say that. So a latency ejection is short
 * and never doubled ({@code latency-outliers.ejection-time}): an instance still slow
 * serves a probation's few requests per ejection, and one fast again is back within that
 * time, where a doubling backoff would keep a recovered instance out for minutes.
 * <p>
 * The guard: never more than {@code max-ejection-percent} of a service's instances out at
 * once (one always may be), and never its last eligible instance, so passive health can
 * slow a pool but never empty it. Only active probes readmit, so without them nothing is
 * ejected: this exists only while active health checks run.
 *
 * @author clusterkit
 */
public final class PassiveHealth implements EndpointRegistry.Listener {

	private static final System.Logger logger = System.getLogger(PassiveHealth.class.getName());

	private final EndpointRegistry registry;

	private final Settings settings;

	private final @Nullable LatencyOutliers latencyOutliers;

	private final LongSupplier nanoClock;

	private final Map<Endpoint, Monitor> monitors = new ConcurrentHashMap<>();

	/**
	 * Passive health over a registry, listening to it from now on.
	 * @param registry the registry
	 * @param settings the consecutive-failures detector and the guard
	 * @param latencyOutliers the latency outlier detector, null for none
	 * @param nanoClock the clock of ejections
	 */
	public PassiveHealth(EndpointRegistry registry, Settings settings, @Nullable LatencyOutliers latencyOutliers,
			LongSupplier nanoClock) {
		this.registry = registry;
		this.settings = settings;
		this.latencyOutliers = latencyOutliers;
		this.nanoClock = nanoClock;
		registry.addListener(this);
	}

	@Override
	public void created(String serviceId, Endpoint endpoint) {
		this.monitors.put(endpoint,
				new Monitor(new ConsecutiveFailures(this.settings.consecutiveFailures()), new LatencyWindow(),
						new EjectionBackoff(this.settings.baseNanos(), this.settings.maxNanos()),
						new Probation((this.latencyOutliers != null) ? this.latencyOutliers.minResponses() : 0)));
	}

	@Override
	public void retired(String serviceId, Endpoint endpoint) {
		this.monitors.remove(endpoint);
	}

	@Override
	public void ended(Endpoint endpoint, boolean success) {
		Monitor monitor = this.monitors.get(endpoint);
		if (monitor != null && monitor.failures().record(success) && !endpoint.isEjected()) {
			eject(endpoint, monitor, monitor.failures().reason(), false);
		}
	}

	@Override
	public void responded(Endpoint endpoint, long latencyNanos) {
		Monitor monitor = this.monitors.get(endpoint);
		if (monitor == null) {
			return;
		}
		monitor.latency().record(latencyNanos);
		if (monitor.probation().isDue()) {
			judgeOnProbation(endpoint, monitor);
		}
	}

	private void judgeOnProbation(Endpoint endpoint, Monitor monitor) {
		if (this.latencyOutliers == null) {
			monitor.probation().end();
			return;
		}
		LatencyWindow.Summary window = monitor.latency().peek();
		List<LatencyOutliers.Sample> samples = new ArrayList<>();
		samples.add(new LatencyOutliers.Sample(endpoint, window.responses(), window.medianNanos()));
		for (Endpoint peer : this.registry.peers(endpoint)) {
			Monitor peerMonitor = this.monitors.get(peer);
			LatencyOutliers.Sample last = (peer != endpoint && peerMonitor != null) ? peerMonitor.last() : null;
			if (last != null) {
				samples.add(last);
			}
		}
		if (!this.latencyOutliers.isJudged(samples.get(0))) {
			// the window turned over since the count began: judged when it has enough
			return;
		}
		monitor.probation().end();
		for (LatencyOutliers.Outlier outlier : this.latencyOutliers.find(samples)) {
			if (outlier.endpoint() == endpoint) {
				eject(endpoint, monitor, outlier.reason() + " on probation", true);
			}
		}
	}

	/**
	 * One round of latency outlier detection: every service's windows are judged together
	 * and started anew; outliers are ejected under the guard.
	 */
	void judgeLatency() {
		if (this.latencyOutliers == null) {
			return;
		}
		this.registry.byService().forEach((service, endpoints) -> {
			List<LatencyOutliers.Sample> samples = endpoints.stream().map((endpoint) -> {
				Monitor monitor = this.monitors.get(endpoint);
				LatencyWindow.Summary window = (monitor != null) ? monitor.latency().drain()
						: new LatencyWindow.Summary(0, 0);
				LatencyOutliers.Sample sample = new LatencyOutliers.Sample(endpoint, window.responses(),
						window.medianNanos());
				if (monitor != null) {
					monitor.remember(this.latencyOutliers.isJudged(sample) ? sample : null);
				}
				return sample;
			}).toList();
			for (LatencyOutliers.Outlier outlier : this.latencyOutliers.find(samples)) {
				Monitor monitor = this.monitors.get(outlier.endpoint());
				if (monitor != null) {
					eject(outlier.endpoint(), monitor, outlier.reason(), true);
				}
			}
		});
	}

	/**
	 * Let an ejected instance back once its ejection time is over, starting its
	 * slow-start ramp; called on a successful active probe, so it returns only when it
	 * answers again.
	 * @param endpoint the instance
	 */
	void readmitIfDue(Endpoint endpoint) {
		Monitor monitor = this.monitors.get(endpoint);
		if (monitor == null || !endpoint.isEjected() || !monitor.backoff().readmitIfDue(this.nanoClock.getAsLong())) {
			return;
		}
		monitor.failures().reset();
		monitor.probation().begin();
		this.registry.readmit(endpoint);
		logger.log(Level.INFO, "{0} readmitted after a successful probe", endpoint.address());
	}

	// Rare, so it takes the lock that keeps two ejections from passing the guard
	// together; the request path comes here only when a detector calls for one.
	private synchronized void eject(Endpoint endpoint, Monitor monitor, String reason, boolean slow) {
		if (endpoint.isEjected() || !withinGuard(endpoint, reason)) {
			return;
		}
		long now = this.nanoClock.getAsLong();
		long duration;
		if (slow) {
			duration = this.settings.latencyEjectionNanos();
			monitor.backoff().ejectFor(now, duration);
		}
		else {
			duration = monitor.backoff().eject(now);
		}
		this.registry.eject(endpoint, reason);
		logger.log(Level.INFO, "{0} ejected for {1} ms: {2}", endpoint.address(), duration / 1_000_000, reason);
	}

	private boolean withinGuard(Endpoint endpoint, String reason) {
		Collection<Endpoint> pool = this.registry.peers(endpoint);
		int ejected = 0;
		int eligible = 0;
		for (Endpoint other : pool) {
			ejected += other.isEjected() ? 1 : 0;
			eligible += (other != endpoint && other.isEligible()) ? 1 : 0;
		}
		if (eligible > 0 && (ejected == 0 || (ejected + 1) * 100 <= this.settings.maxPercent() * pool.size())) {
			return true;
		}
		if (logger.isLoggable(Level.DEBUG)) {
			logger.log(Level.DEBUG, "{0} not ejected ({1}): {2} of {3} instances are ejected, {4} other eligible",
					endpoint.address(), reason, ejected, pool.size(), eligible);
		}
		return false;
	}

	/**
	 * Passive health settings.
	 *
	 * @param consecutiveFailures failures in a row that eject; 0 never
	 * @param baseNanos the first ejection's length, doubled on each repeated one
	 * @param maxNanos the cap of an ejection's length
	 * @param maxPercent the largest share of a service's instances ejected at once; one
	 * may always be, while another instance remains eligible
	 * @param latencyEjectionNanos the length of every latency ejection, never doubled
	 */
	public record Settings(int consecutiveFailures, long baseNanos, long maxNanos, int maxPercent,
			long latencyEjectionNanos) {

	}

	/**
	 * What passive health keeps of one instance; {@code last} is its last judged window,
	 * which an instance of its service on probation is compared with.
	 */
	private static final class Monitor {

		private final ConsecutiveFailures failures;

		private final LatencyWindow latency;

		private final EjectionBackoff backoff;

		private final Probation probation;

		private volatile LatencyOutliers.@Nullable Sample last;

		Monitor(ConsecutiveFailures failures, LatencyWindow latency, EjectionBackoff backoff, Probation probation) {
			this.failures = failures;
			this.latency = latency;
			this.backoff = backoff;
			this.probation = probation;
		}

		ConsecutiveFailures failures() {
			return this.failures;
		}

		LatencyWindow latency() {
			return this.latency;
		}

		EjectionBackoff backoff() {
			return this.backoff;
		}

		Probation probation() {
			return this.probation;
		}

		LatencyOutliers.@Nullable Sample last() {
			return this.last;
		}

		void remember(LatencyOutliers.@Nullable Sample sample) {
			this.last = sample;
		}

	}

}
