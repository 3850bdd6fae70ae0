package io.clusterkit.management;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import io.clusterkit.gateway.balancer.Algorithm;
import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.LoadReport;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import io.clusterkit.gateway.balancer.Weighting;
import io.clusterkit.gateway.config.BalancerProperties;
import io.clusterkit.gateway.health.ActiveHealthChecker;
import io.clusterkit.gateway.health.RiseFall;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * {@code /actuator/balancer} on the management port: per service, its algorithm and every
 * instance as the balancers see it: state, configured and effective weight, requests in
 * flight, sent and failed, the last probe, latency percentiles. HAProxy's stats page as
 * JSON; {@code /actuator/balancer/{service}} for one service. A POST to
 * {@code /actuator/balancer/{service}/{instance}} drains, undrains, re-checks or
 * re-weighs one instance at run time (authenticated: see
 * {@code io.clusterkit.management.security.OperatorSecurityConfiguration}).
 *
 * @author clusterkit
 */
@org.springframework.boot.actuate.endpoint.annotation.Endpoint(id = "balancer")
class BalancerEndpoint {

	private static final Log logger = LogFactory.getLog(BalancerEndpoint.class);

	private static final Set<String> ACTIONS = Set.of("drain", "undrain", "recheck");

	private final EndpointRegistry registry;

	private final BalancerProperties properties;

	private final ObjectProvider<ActiveHealthChecker> checker;

	private final UpstreamMeters meters;

	private final LongSupplier nanoClock;

	BalancerEndpoint(EndpointRegistry registry, BalancerProperties properties,
			ObjectProvider<ActiveHealthChecker> checker, UpstreamMeters meters, LongSupplier nanoClock) {
		this.registry = registry;
		this.properties = properties;
		this.checker = checker;
		this.meters = meters;
		this.nanoClock = nanoClock;
	}

	@ReadOperation
	Map<String, Service> services() {
		Map<String, Service> services = new LinkedHashMap<>();
		this.registry.byService().forEach((id, endpoints) -> services.put(id, view(id, endpoints)));
		return services;
	}

	@ReadOperation
	Service service(@Selector String service) {
		List<Endpoint> endpoints = this.registry.byService().get(service);
		if (endpoints == null) {
			throw problem(HttpStatus.NOT_FOUND,
					"No service '" + service + "' (none seen yet); GET /actuator/balancer lists them.");
		}
		return view(service, endpoints);
	}

	/**
	 * Act on one instance at run time: {@code {"action": "drain" | "undrain" |
	 * "recheck"}} and/or {@code {"weight": 0..1000}}.
	 * @param service the service
	 * @param instance the instance's address, host:port
	 * @param action drain (no new requests, in-flight ones finish), undrain, or recheck
	 * (probe it now)
	 * @param weight a new weight
	 * @return the instance as it is now
	 */
	@WriteOperation
	Instance update(@Selector String service, @Selector String instance, @Nullable String action,
			@Nullable Integer weight) {
		Endpoint endpoint = this.registry.byService()
			.getOrDefault(service, List.of())
			.stream()
			.filter((candidate) -> candidate.address().equals(instance))
			.findFirst()
			.orElseThrow(() -> problem(HttpStatus.NOT_FOUND,
					"No instance '" + instance + "' in service '" + service + "'; GET /actuator/balancer lists them."));
		if (action == null && weight == null) {
			throw problem(HttpStatus.BAD_REQUEST, "Give an action (drain, undrain, recheck) or a weight.");
		}
		if (weight != null && (weight < 0 || weight > Endpoint.MAX_WEIGHT)) {
			throw problem(HttpStatus.BAD_REQUEST,
					"A weight must be an integer from 0 to " + Endpoint.MAX_WEIGHT + ", got " + weight + ".");
		}
		if (action != null && !ACTIONS.contains(action)) {
			throw problem(HttpStatus.BAD_REQUEST, "Unknown action '" + action + "'; one of drain, undrain, recheck.");
		}
		if (weight != null) {
			this.registry.setWeight(endpoint, weight);
		}
		if ("drain".equals(action) || "undrain".equals(action)) {
			this.registry.drain(endpoint, "drain".equals(action));
		}
		else if ("recheck".equals(action)) {
			ActiveHealthChecker checker = this.checker.getIfAvailable();
			if (checker == null || !checker.recheck(service, endpoint)) {
				throw problem(HttpStatus.CONFLICT, "Active health checks are off (cluster.health.enabled=false).");
			}
		}
		logger.info("Operator set " + service + " " + instance + ": " + ((action != null) ? action : "")
				+ ((weight != null) ? " weight " + weight : ""));
		return view(service, List.of(endpoint)).instances().get(0);
	}

	private static ErrorResponseException problem(HttpStatus status, String detail) {
		return new ErrorResponseException(status, ProblemDetail.forStatusAndDetail(status, detail), null);
	}

	private Service view(String serviceId, List<Endpoint> endpoints) {
		Algorithm algorithm = this.properties.algorithmFor(serviceId);
		BalancerProperties.SlowStart slowStart = this.properties.slowStart();
		Weighting weighting = new Weighting(true, slowStart.window().toNanos(), slowStart.initialPercent());
		long now = this.nanoClock.getAsLong();
		ActiveHealthChecker checker = this.checker.getIfAvailable();
		List<Instance> instances = endpoints.stream().map((endpoint) -> {
			RiseFall.Result probe = (checker != null) ? checker.lastProbe(serviceId, endpoint) : null;
			double share = weighting.share(endpoint, now);
			String state = state(endpoint, share, now);
			return new Instance(endpoint.address(), state, reason(endpoint, state), endpoint.weight(),
					endpoint.weight() * share, endpoint.inFlight(), endpoint.sent(), endpoint.failures(),
					(probe != null) ? new Probe(probe.success(), probe.detail(), probe.at()) : null,
					this.meters.latency(endpoint), reported(endpoint, now));
		}).toList();
		return new Service(algorithm.id(), instances);
	}

	private static @Nullable Reported reported(Endpoint endpoint, long now) {
		LoadReport report = endpoint.loadReport();
		if (report == null) {
			return null;
		}
		return new Reported(report.cpuUtilization(), report.rps(), report.eps(), report.inFlight(),
				endpoint.load() - endpoint.inFlight(), Math.max(0, (now - report.receivedAtNanos()) / 1_000_000));
	}

	private static String state(Endpoint endpoint, double share, long now) {
		if (endpoint.isDeparted()) {
			return "DEPARTED";
		}
		if (!endpoint.isUp()) {
			return "DOWN";
		}
		if (endpoint.isEjected()) {
			return "EJECTED";
		}
		if (endpoint.isDraining() || endpoint.weight() == 0) {
			return "DRAINING";
		}
		if (endpoint.isThrottled(now)) {
			return "THROTTLED";
		}
		return (share < 1) ? "SLOW-START" : "UP";
	}

	/** Why an instance takes no requests, for the states that say so. */
	private static @Nullable String reason(Endpoint endpoint, String state) {
		return switch (state) {
			case "DEPARTED" -> "left discovery";
			case "EJECTED" -> endpoint.ejectionReason();
			case "DRAINING" -> endpoint.isDraining() ? "drained by an operator" : "weight 0";
			case "THROTTLED" -> "asked for fewer requests (429 or 503 with Retry-After)";
			default -> null;
		};
	}

	/**
	 * One service.
	 *
	 * @param algorithm its balancing algorithm
	 * @param instances every instance known
	 */
	record Service(String algorithm, List<Instance> instances) {
	}

	/**
	 * One instance.
	 *
	 * @param address host:port
	 * @param state UP, DOWN, EJECTED, DRAINING (drained, or weight 0), SLOW-START
	 * (ramping up), THROTTLED (answered 429 or 503 with {@code Retry-After}: weight cut
	 * until then) or DEPARTED (left discovery; retired once its requests end)
	 * @param reason why an EJECTED, DRAINING, THROTTLED or DEPARTED instance takes fewer
	 * requests or none, such as {@code 5 consecutive failures} or
	 * {@code median latency 52 ms vs peers' 2.1 ms}; null otherwise (a DOWN one's is its
	 * last probe)
	 * @param weight the configured weight
	 * @param effectiveWeight the weight with the slow-start ramp applied
	 * @param inFlight requests in flight from this gateway
	 * @param sent requests sent, retries included
	 * @param failures connect failures and 5xx answers
	 * @param lastProbe the last active health probe, null when none ran yet
	 * @param latency whole request sent to response start over the last minute, null
	 * before any
	 * @param reported the load the instance last reported on a response, while fresh (no
	 * older than {@code cluster.balancer.load-report.max-age}); null without one
	 */
	record Instance(String address, String state, @Nullable String reason, int weight, double effectiveWeight,
			int inFlight, long sent, long failures, @Nullable Probe lastProbe, @Nullable Latency latency,
			@Nullable Reported reported) {
	}

	/**
	 * What an instance says of its load, from every client, beside this gateway's own
	 * view.
	 *
	 * @param cpuUtilization its process's share of the machine's CPU
	 * @param rps requests per second it answered
	 * @param eps of which errors per second
	 * @param inFlight requests it had in flight as the answered request arrived, that one
	 * included
	 * @param elsewhere of which sent by other clients (other gateways): what least
	 * connections adds to this gateway's own in-flight count
	 * @param ageMs how old the report is, in milliseconds
	 */
	record Reported(double cpuUtilization, double rps, double eps, int inFlight, long elsewhere, long ageMs) {
	}

	/**
	 * A probe.
	 *
	 * @param success whether it passed
	 * @param result what it met
	 * @param at when
	 */
	record Probe(boolean success, String result, Instant at) {
	}

	/**
	 * Latency percentiles.
	 *
	 * @param p50Ms the median, in milliseconds
	 * @param p99Ms the 99th percentile, in milliseconds
	 */
	record Latency(double p50Ms, double p99Ms) {
	}

}
