package io.clusterkit.worker.api;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import io.clusterkit.worker.WorkerProperties;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This instance's load, in ORCA's HTTP form (header {@code endpoint-load-metrics}, TEXT
 * encoding, as Envoy reads it): every gateway in front of the instance learns from each
 * response the load all of them put on it, not only its own share.
 *
 * <pre>TEXT cpu_utilization=0.310, rps_fractional=812.0, eps=0.0, named_metrics.inflight=7</pre>
 *
 * CPU utilization (this process's share of the machine, smoothed), requests and 5xx
 * answers per second are measured once per interval into a prefix; the in-flight count of
 * /api requests as the request arrives, itself included, is appended per response. A
 * response costs one string concatenation.
 *
 * @author clusterkit
 */
@Component
class LoadReport implements SmartLifecycle {

	static final String HEADER = "endpoint-load-metrics";

	/** Weight of the newest CPU sample: recent load, without one sample's jitter. */
	private static final double SMOOTHING = 0.5;

	private final InstanceIdentity identity;

	private final WorkerProperties.LoadReport settings;

	private final @Nullable OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

	private final LongAdder errors = new LongAdder();

	private volatile String prefix = prefix(0, 0, 0);

	private double cpu;

	private long servedBefore;

	private long errorsBefore;

	private long measuredAt = System.nanoTime();

	private @Nullable Disposable measuring;

	LoadReport(InstanceIdentity identity, WorkerProperties properties) {
		this.identity = identity;
		this.settings = properties.loadReport();
	}

	boolean enabled() {
		return this.settings.enabled();
	}

	/** The header's value now. */
	String value() {
		return this.prefix + this.identity.inFlight();
	}

	void recordError() {
		this.errors.increment();
	}

	/** Once per interval, on one thread: the rates since the last time, and the CPU. */
	void measure() {
		long now = System.nanoTime();
		double seconds = Math.max(1e-3, (now - this.measuredAt) / 1e9);
		long served = this.identity.served();
		long errors = this.errors.sum();
		double cpuNow = processCpuLoad();
		this.cpu = (cpuNow < 0) ? this.cpu : SMOOTHING * cpuNow + (1 - SMOOTHING) * this.cpu;
		this.prefix = prefix(this.cpu, (served - this.servedBefore) / seconds, (errors - this.errorsBefore) / seconds);
		this.servedBefore = served;
		this.errorsBefore = errors;
		this.measuredAt = now;
	}

	private double processCpuLoad() {
		if (this.os instanceof com.sun.management.OperatingSystemMXBean sun) {
			return sun.getProcessCpuLoad();
		}
		return -1;
	}

	private static String prefix(double cpu, double rps, double eps) {
		return String.format(Locale.ROOT,
				"TEXT cpu_utilization=%.3f, rps_fractional=%.1f, eps=%.1f, named_metrics.inflight=", cpu, rps, eps);
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		Duration interval = this.settings.interval();
		this.measuring = Flux.interval(interval, interval).subscribe((tick) -> measure());
	}

	@Override
	public void stop() {
		Disposable measuring = this.measuring;
		if (measuring != null) {
			measuring.dispose();
			this.measuring = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.measuring != null;
	}

}
