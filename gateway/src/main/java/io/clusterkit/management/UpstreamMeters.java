package io.clusterkit.management;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters per upstream instance, tagged {@code service} and {@code instance}
 * (its address: bounded by the pool, not by traffic). Registered once, when the registry
 * first sees an instance; on the request path a recording is one map lookup and an
 * update, no allocation.
 * <ul>
 * <li>{@code cluster.upstream.in.flight} gauge: requests in flight from this gateway</li>
 * <li>{@code cluster.upstream.requests} counter, tag {@code outcome} = {@code success} or
 * {@code failure} (connect failure, 5xx)</li>
 * <li>{@code cluster.upstream.latency} timer, from the whole request sent to the
 * response's start (a slow upload is the client's time, not the instance's), with a
 * percentile histogram (Prometheus computes quantiles from its buckets) and p50/p99 over
 * the last minute kept for the {@code balancer} endpoint</li>
 * <li>{@code cluster.upstream.up} gauge: 1 while active checks say UP, else 0</li>
 * <li>{@code cluster.upstream.ejected} gauge: 1 while passive health ejects it</li>
 * <li>{@code cluster.upstream.ejections} counter</li>
 * <li>{@code cluster.upstream.sent} counter: requests sent, retries included</li>
 * </ul>
 *
 * @author clusterkit
 */
class UpstreamMeters implements EndpointRegistry.Listener {

	private final MeterRegistry registry;

	private final Map<Endpoint, Meters> meters = new ConcurrentHashMap<>();

	UpstreamMeters(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void created(String serviceId, Endpoint endpoint) {
		Tags tags = Tags.of("service", serviceId, "instance", endpoint.address());
		List<Meter> gauges = List.of(
				Gauge.builder("cluster.upstream.in.flight", endpoint, Endpoint::inFlight)
					.tags(tags)
					.description("Requests in flight from this gateway to the instance")
					.register(this.registry),
				Gauge.builder("cluster.upstream.up", endpoint, (e) -> e.isUp() ? 1 : 0)
					.tags(tags)
					.description("1 while active health checks say the instance is UP")
					.register(this.registry),
				Gauge.builder("cluster.upstream.ejected", endpoint, (e) -> e.isEjected() ? 1 : 0)
					.tags(tags)
					.description("1 while passive health ejects the instance")
					.register(this.registry),
				FunctionCounter.builder("cluster.upstream.sent", endpoint, Endpoint::sent)
					.tags(tags)
					.description("Requests sent to the instance, retries included")
					.register(this.registry));
		this.meters.put(endpoint,
				new Meters(
						Timer.builder("cluster.upstream.latency")
							.tags(tags)
							.description("Time from the whole request sent to the start of the instance's response")
							.publishPercentiles(0.5, 0.99)
							.publishPercentileHistogram()
							.distributionStatisticExpiry(Duration.ofMinutes(1))
							.register(this.registry),
						outcome(tags, "success"), outcome(tags, "failure"),
						Counter.builder("cluster.upstream.ejections")
							.tags(tags)
							.description("Times passive health ejected the instance")
							.register(this.registry),
						gauges));
	}

	/** An instance that left discovery leaves the meters too: no ghost series. */
	@Override
	public void retired(String serviceId, Endpoint endpoint) {
		Meters meters = this.meters.remove(endpoint);
		if (meters == null) {
			return;
		}
		for (Meter meter : meters.all()) {
			this.registry.remove(meter);
		}
	}

	private Counter outcome(Tags tags, String outcome) {
		return Counter.builder("cluster.upstream.requests")
			.tags(tags.and("outcome", outcome))
			.description("Requests that ended with a verdict on the instance")
			.register(this.registry);
	}

	@Override
	public void responded(Endpoint endpoint, long latencyNanos) {
		Meters meters = this.meters.get(endpoint);
		if (meters != null) {
			meters.latency().record(latencyNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void ended(Endpoint endpoint, boolean success) {
		Meters meters = this.meters.get(endpoint);
		if (meters != null) {
			(success ? meters.successes() : meters.failures()).increment();
		}
	}

	@Override
	public void ejected(Endpoint endpoint) {
		Meters meters = this.meters.get(endpoint);
		if (meters != null) {
			meters.ejections().increment();
		}
	}

	/**
	 * An instance's latency percentiles over the last minute.
	 * @param endpoint the instance
	 * @return p50 and p99 in milliseconds, null before any response
	 */
	BalancerEndpoint.@Nullable Latency latency(Endpoint endpoint) {
		Meters meters = this.meters.get(endpoint);
		if (meters == null || meters.latency().count() == 0) {
			return null;
		}
		double p50 = Double.NaN;
		double p99 = Double.NaN;
		for (ValueAtPercentile value : meters.latency().takeSnapshot().percentileValues()) {
			if (value.percentile() == 0.5) {
				p50 = value.value(TimeUnit.MILLISECONDS);
			}
			else if (value.percentile() == 0.99) {
				p99 = value.value(TimeUnit.MILLISECONDS);
			}
		}
		return new BalancerEndpoint.Latency(p50, p99);
	}

	private record Meters(Timer latency, Counter successes, Counter failures, Counter ejections, List<Meter> gauges) {

		List<Meter> all() {
			List<Meter> all = new ArrayList<>(this.gauges);
			all.addAll(List.of(this.latency, this.successes, this.failures, this.ejections));
			return all;
		}

	}

}
