package io.clusterkit.gateway.balancer;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The directory of upstream instances: one {@link Endpoint} per service and address,
 * shared by every route and balancer, so an instance's in-flight count and latency are
 * the same whichever route sent to it. Discovery feeds its membership
 * ({@link #reconcile}); an instance that leaves departs, then retires
 * ({@link #retireDeparted}); balancers read it; what happens to its requests is passed on
 * to the listeners, where passive health ({@code health/}) decides, and its verdicts come
 * back through {@link #eject} and {@link #readmit}.
 *
 * @author clusterkit
 */
public final class EndpointRegistry {

	/** The discovery metadata key of an instance's weight. */
	public static final String WEIGHT_METADATA_KEY = "weight";

	private static final System.Logger logger = System.getLogger(EndpointRegistry.class.getName());

	private final Map<String, Map<String, Endpoint>> services = new ConcurrentHashMap<>();

	private final AtomicLong version = new AtomicLong();

	private final long decayNanos;

	private final boolean checked;

	private final LongSupplier nanoClock;

	private final Set<String> listed = ConcurrentHashMap.newKeySet();

	// written at start-up, read on every request: a copy-on-write array, no lock
	private volatile Listener[] listeners = {};

	public EndpointRegistry(long decayNanos, LongSupplier nanoClock) {
		this(decayNanos, false, nanoClock);
	}

	/**
	 * A registry.
	 * @param decayNanos the time constant of every endpoint's latency estimate
	 * @param checked whether active health checks run, and so decide when an instance
	 * that appears in a running service may receive requests
	 * @param nanoClock the clock of latencies and slow-start ramps
	 */
	public EndpointRegistry(long decayNanos, boolean checked, LongSupplier nanoClock) {
		this.decayNanos = decayNanos;
		this.checked = checked;
		this.nanoClock = nanoClock;
	}

	/**
	 * Observe the endpoints from now on: those created before are announced to it at
	 * once, as if created now.
	 * @param listener the listener (metrics, passive health)
	 */
	public synchronized void addListener(Listener listener) {
		Listener[] next = Arrays.copyOf(this.listeners, this.listeners.length + 1);
		next[next.length - 1] = listener;
		this.listeners = next;
		this.services.forEach((serviceId, endpoints) -> endpoints.values()
			.forEach((endpoint) -> listener.created(serviceId, endpoint)));
	}

	/**
	 * The endpoint of an instance, created on first sight, when its slow-start ramp
	 * starts: instances first seen together ramp together, which changes nothing between
	 * them, while one added later to a running pool ramps alone. A weight in the metadata
	 * that is not an integer from 0 to {@link Endpoint#MAX_WEIGHT} falls back to 1 with
	 * one warning: metadata arriving from discovery at run time must never fail a
	 * request.
	 * @param serviceId the service
	 * @param host the instance's host
	 * @param port the instance's port
	 * @param metadata the instance's discovery metadata
	 * @return the endpoint
	 */
	public Endpoint endpoint(String serviceId, String host, int port, Map<String, String> metadata) {
		String address = host + ":" + port;
		return this.services.computeIfAbsent(serviceId, (id) -> new ConcurrentHashMap<>())
			.computeIfAbsent(address, (key) -> {
				Endpoint endpoint = new Endpoint(address, weightOf(serviceId, address, metadata), this.decayNanos);
				endpoint.startRamp(this.nanoClock.getAsLong());
				if (this.checked && this.listed.contains(serviceId)) {
					endpoint.setUp(false);
				}
				for (Listener listener : this.listeners) {
					listener.created(serviceId, endpoint);
				}
				return endpoint;
			});
	}

	/**
	 * Make a service's membership what discovery lists now: instances first seen are
	 * added (DOWN until probed when the service was listed before and checks run), those
	 * no longer listed depart (no new requests; {@link #retireDeparted} retires them),
	 * and a departed one listed again takes requests again. The one writer of membership
	 * is the discovery feed; a pick only adds an instance it meets before the feed does.
	 * @param serviceId the service
	 * @param members the instances discovery lists
	 */
	public void reconcile(String serviceId, List<Member> members) {
		Set<String> listedNow = new HashSet<>();
		for (Member member : members) {
			Endpoint endpoint = endpoint(serviceId, member.host(), member.port(), member.metadata());
			listedNow.add(endpoint.address());
			if (endpoint.isDeparted()) {
				endpoint.setDeparted(false, 0);
				this.version.incrementAndGet();
				logger.log(Level.INFO, "{0} of {1} is listed again", endpoint.address(), serviceId);
			}
		}
		this.listed.add(serviceId);
		long now = this.nanoClock.getAsLong();
		for (Endpoint endpoint : this.services.getOrDefault(serviceId, Map.of()).values()) {
			if (!listedNow.contains(endpoint.address()) && !endpoint.isDeparted()) {
				endpoint.setDeparted(true, now);
				this.version.incrementAndGet();
				logger.log(Level.INFO, "{0} of {1} left discovery: no new requests, retired when its {2} in flight end",
						endpoint.address(), serviceId, endpoint.inFlight());
			}
		}
	}

	/**
	 * Retire the departed instances whose requests have ended, or that departed longer
	 * ago than the grace: they leave the registry, and the listener drops what it keeps
	 * of them (meters). A request still in flight to one retired by the grace ends
	 * normally; it is only no longer counted anywhere.
	 * @param graceNanos the longest a departed instance waits for its requests
	 */
	public void retireDeparted(long graceNanos) {
		long now = this.nanoClock.getAsLong();
		this.services.forEach((serviceId, endpoints) -> endpoints.values().removeIf((endpoint) -> {
			if (!endpoint.isDeparted() || (endpoint.inFlight() > 0 && now - endpoint.departedAt() < graceNanos)) {
				return false;
			}
			this.version.incrementAndGet();
			for (Listener listener : this.listeners) {
				listener.retired(serviceId, endpoint);
			}
			logger.log(Level.INFO, "{0} of {1} retired{2}", endpoint.address(), serviceId,
					(endpoint.inFlight() > 0) ? " with " + endpoint.inFlight() + " still in flight" : "");
			return true;
		}));
	}

	/**
	 * The services seen so far: their names.
	 * @return the service ids
	 */
	public Set<String> services() {
		return Set.copyOf(this.services.keySet());
	}

	/**
	 * Mark an instance UP or DOWN; pools built before a change are rebuilt, and an
	 * instance UP again starts its slow-start ramp.
	 * @param endpoint the instance
	 * @param up its new state
	 * @return whether the state changed
	 */
	public boolean setUp(Endpoint endpoint, boolean up) {
		if (up && !endpoint.isUp()) {
			endpoint.startRamp(this.nanoClock.getAsLong());
		}
		boolean changed = endpoint.setUp(up);
		if (changed) {
			this.version.incrementAndGet();
		}
		return changed;
	}

	/**
	 * Drain an instance (no new requests; in-flight ones finish) or undrain it, at run
	 * time; pools are rebuilt.
	 * @param endpoint the instance
	 * @param draining whether it drains
	 */
	public void drain(Endpoint endpoint, boolean draining) {
		endpoint.setDraining(draining);
		this.version.incrementAndGet();
	}

	/**
	 * Change an instance's weight at run time; pools are rebuilt.
	 * @param endpoint the instance
	 * @param weight from 0 to {@link Endpoint#MAX_WEIGHT}
	 * @throws IllegalArgumentException for a weight out of range
	 */
	public void setWeight(Endpoint endpoint, int weight) {
		endpoint.setWeight(weight);
		this.version.incrementAndGet();
	}

	/**
	 * A request ended with a verdict on its instance ({@code loadbalancer/Blame}):
	 * counted, and passed on to the listeners.
	 * @param endpoint the instance
	 * @param success whether it answered below 500
	 */
	public void recordOutcome(Endpoint endpoint, boolean success) {
		if (!success) {
			endpoint.recordFailure();
		}
		for (Listener listener : this.listeners) {
			listener.ended(endpoint, success);
		}
	}

	/**
	 * An instance started its response: the time since the whole request was sent feeds
	 * its latency estimate and the listeners.
	 * @param endpoint the instance
	 * @param latencyNanos from the request sent to the response's start
	 */
	public void observeLatency(Endpoint endpoint, long latencyNanos) {
		endpoint.observeLatency(latencyNanos, this.nanoClock.getAsLong());
		for (Listener listener : this.listeners) {
			listener.responded(endpoint, latencyNanos);
		}
	}

	/**
	 * A load report came with a response of an instance: least connections and power of
	 * two choices count what it reports from other clients ({@link Endpoint#load()}).
	 * @param endpoint the instance
	 * @param report what it reported
	 * @param ownAtSend this gateway's in-flight count to it when the answered request was
	 * sent, that one included: what the report counts beyond it came from others
	 */
	public void reportLoad(Endpoint endpoint, LoadReport report, int ownAtSend) {
		endpoint.report(report, ownAtSend);
	}

	/**
	 * An instance asked for fewer requests (429 or 503 with {@code Retry-After}): its
	 * weight is cut to slow start's initial share until then, and ramps up afterwards; it
	 * is not ejected, and its answer is no failure.
	 * @param endpoint the instance
	 * @param forNanos how long it asked for
	 */
	public void throttle(Endpoint endpoint, long forNanos) {
		long now = this.nanoClock.getAsLong();
		if (endpoint.throttle(now, now + forNanos)) {
			this.version.incrementAndGet();
		}
	}

	/**
	 * Forget load reports older than {@code maxAgeNanos}: an instance that gets no
	 * request from this gateway sends no new one, and what it said ages.
	 * @param maxAgeNanos the age past which a report is dropped
	 */
	public void expireLoadReports(long maxAgeNanos) {
		long receivedBefore = this.nanoClock.getAsLong() - maxAgeNanos;
		this.services.values()
			.forEach((endpoints) -> endpoints.values().forEach((e) -> e.expireReport(receivedBefore)));
	}

	/**
	 * Take an instance out of every pool: passive health's verdict, carried out.
	 * @param endpoint the instance
	 * @param reason why, for operators
	 */
	public void eject(Endpoint endpoint, String reason) {
		endpoint.eject(reason);
		this.version.incrementAndGet();
		for (Listener listener : this.listeners) {
			listener.ejected(endpoint);
		}
	}

	/**
	 * Let an ejected instance back, starting its slow-start ramp.
	 * @param endpoint the instance
	 */
	public void readmit(Endpoint endpoint) {
		endpoint.startRamp(this.nanoClock.getAsLong());
		endpoint.readmit();
		this.version.incrementAndGet();
	}

	/**
	 * The instances of an endpoint's service, the endpoint among them.
	 * @param endpoint the endpoint
	 * @return its service's endpoints, or only itself once retired
	 */
	public Collection<Endpoint> peers(Endpoint endpoint) {
		for (Map<String, Endpoint> endpoints : this.services.values()) {
			if (endpoints.get(endpoint.address()) == endpoint) {
				return endpoints.values();
			}
		}
		return List.of(endpoint);
	}

	/**
	 * The registry's clock.
	 * @return a {@code System.nanoTime()}-style instant
	 */
	public long nanoTime() {
		return this.nanoClock.getAsLong();
	}

	/**
	 * A number that changes whenever an endpoint's eligibility does: pools built at an
	 * older version are stale.
	 * @return the version
	 */
	public long version() {
		return this.version.get();
	}

	/**
	 * The services seen so far, each with its endpoints.
	 * @return a snapshot, by service id
	 */
	public Map<String, List<Endpoint>> byService() {
		Map<String, List<Endpoint>> snapshot = new TreeMap<>();
		this.services.forEach((service, endpoints) -> snapshot.put(service, List.copyOf(endpoints.values())));
		return snapshot;
	}

	/**
	 * Every endpoint seen so far.
	 * @return a snapshot of the endpoints
	 */
	public List<Endpoint> endpoints() {
		return this.services.values().stream().flatMap((endpoints) -> endpoints.values().stream()).toList();
	}

	/**
	 * Parse a weight.
	 * @param value the text, may be null
	 * @return the weight, or -1 when the text is not an integer from 0 to
	 * {@link Endpoint#MAX_WEIGHT}
	 */
	public static int parseWeight(String value) {
		try {
			int weight = Integer.parseInt(value.strip());
			return (weight >= 0 && weight <= Endpoint.MAX_WEIGHT) ? weight : -1;
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * One instance as discovery lists it.
	 *
	 * @param host its host
	 * @param port its port
	 * @param metadata its discovery metadata
	 */
	public record Member(String host, int port, Map<String, String> metadata) {

	}

	/**
	 * What observes the endpoints, e.g. metrics. Called on the request path: must not
	 * block.
	 */
	public interface Listener {

		/**
		 * An endpoint was seen for the first time.
		 * @param serviceId its service
		 * @param endpoint the endpoint
		 */
		default void created(String serviceId, Endpoint endpoint) {
		}

		/**
		 * A response started.
		 * @param endpoint where from
		 * @param latencyNanos time from the whole request sent
		 */
		default void responded(Endpoint endpoint, long latencyNanos) {
		}

		/**
		 * A request ended with a verdict on the instance.
		 * @param endpoint where it went
		 * @param success whether it answered below 500
		 */
		default void ended(Endpoint endpoint, boolean success) {
		}

		/**
		 * An endpoint was ejected.
		 * @param endpoint the endpoint
		 */
		default void ejected(Endpoint endpoint) {
		}

		/**
		 * An endpoint that left discovery was retired: it is gone from the registry.
		 * @param serviceId its service
		 * @param endpoint the endpoint
		 */
		default void retired(String serviceId, Endpoint endpoint) {
		}

	}

	private static int weightOf(String serviceId, String address, Map<String, String> metadata) {
		String value = (metadata != null) ? metadata.get(WEIGHT_METADATA_KEY) : null;
		if (value == null) {
			return 1;
		}
		int weight = parseWeight(value);
		if (weight < 0) {
			logger.log(Level.WARNING, "Instance {0} of {1} has metadata weight ''{2}'', not an integer from 0 to {3}; "
					+ "using weight 1", address, serviceId, value, Endpoint.MAX_WEIGHT);
			return 1;
		}
		return weight;
	}

}
