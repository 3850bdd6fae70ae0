package io.clusterkit.gateway.balancer;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one registry of upstream instances: one {@link Endpoint} per service and address,
 * shared by every route and balancer, so an instance's in-flight count and latency are
 * the same whichever route sent to it. Discovery feeds it; balancers read it.
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

	private final Ejection ejection;

	public EndpointRegistry(long decayNanos) {
		this(decayNanos, Ejection.OFF);
	}

	public EndpointRegistry(long decayNanos, Ejection ejection) {
		this.decayNanos = decayNanos;
		this.ejection = ejection;
	}

	/**
	 * The endpoint of an instance, created on first sight. A weight in the metadata that
	 * is not an integer from 0 to {@link Endpoint#MAX_WEIGHT} falls back to 1 with one
	 * warning: metadata arriving from discovery at run time must never fail a request.
	 * @param serviceId the service
	 * @param host the instance's host
	 * @param port the instance's port
	 * @param metadata the instance's discovery metadata
	 * @return the endpoint
	 */
	public Endpoint endpoint(String serviceId, String host, int port, Map<String, String> metadata) {
		String address = host + ":" + port;
		return this.services.computeIfAbsent(serviceId, (id) -> new ConcurrentHashMap<>())
			.computeIfAbsent(address,
					(key) -> new Endpoint(address, weightOf(serviceId, address, metadata), this.decayNanos));
	}

	/**
	 * Mark an instance UP or DOWN; pools built before a change are rebuilt.
	 * @param endpoint the instance
	 * @param up its new state
	 * @return whether the state changed
	 */
	public boolean setUp(Endpoint endpoint, boolean up) {
		boolean changed = endpoint.setUp(up);
		if (changed) {
			this.version.incrementAndGet();
		}
		return changed;
	}

	/**
	 * Count a request's outcome on an instance; the failure that completes a run of
	 * {@code consecutiveFailures} ejects it (passive health, Envoy's outlier detection).
	 * @param endpoint the instance
	 * @param success whether it answered below 500
	 * @param nowNanos the clock now
	 */
	public void recordOutcome(Endpoint endpoint, boolean success, long nowNanos) {
		if (this.ejection.consecutiveFailures() <= 0
				|| !endpoint.recordOutcome(success, this.ejection.consecutiveFailures())) {
			return;
		}
		long duration = endpoint.eject(nowNanos, this.ejection.baseNanos(), this.ejection.maxNanos());
		if (duration > 0) {
			this.version.incrementAndGet();
			logger.log(Level.INFO, "{0} ejected for {1} ms after {2} consecutive failures", endpoint.address(),
					duration / 1_000_000, this.ejection.consecutiveFailures());
		}
	}

	/**
	 * Let an ejected instance back once its ejection time is over; called on a successful
	 * active probe, so it returns only when it answers again.
	 * @param endpoint the instance
	 * @param nowNanos the clock now
	 */
	public void readmitIfDue(Endpoint endpoint, long nowNanos) {
		if (endpoint.isEjected() && endpoint.readmitIfDue(nowNanos)) {
			this.version.incrementAndGet();
			logger.log(Level.INFO, "{0} readmitted after a successful probe", endpoint.address());
		}
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
	 * Passive ejection settings.
	 *
	 * @param consecutiveFailures failures in a row that eject; 0 turns ejection off
	 * @param baseNanos the first ejection's length, doubled on each repeated one
	 * @param maxNanos the cap of an ejection's length
	 */
	public record Ejection(int consecutiveFailures, long baseNanos, long maxNanos) {

		/** No passive ejection. */
		public static final Ejection OFF = new Ejection(0, 0, 0);

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
