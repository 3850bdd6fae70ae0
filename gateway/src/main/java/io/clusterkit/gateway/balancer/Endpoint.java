package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * One upstream instance as every balancer sees it: its load (requests in flight from this
 * gateway, requests sent, failures), its peak-EWMA latency estimate, and whether it may
 * be picked (weight, UP, ejected, draining, departed). Shared by every route to the
 * instance; lock-free, since it is read and written on every request from every event
 * loop. Why it is ejected, and for how long, is decided in {@code health/}; this only
 * holds the verdict.
 *
 * @author clusterkit
 */
public final class Endpoint {

	/** The largest weight an instance may have. */
	public static final int MAX_WEIGHT = 1000;

	/** The {@link #rampStart()} of an endpoint that never started a slow-start ramp. */
	static final long NOT_RAMPING = Long.MIN_VALUE;

	/**
	 * The {@link #throttledUntil()} of an endpoint that never asked for fewer requests.
	 */
	static final long NOT_THROTTLED = Long.MIN_VALUE;

	private final String address;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final LongAdder sent = new LongAdder();

	private final PeakEwma latency;

	private volatile String ejectionReason = "";

	private volatile int weight;

	private volatile boolean up = true;

	private volatile boolean draining;

	private volatile boolean departed;

	private volatile long departedAt;

	private final LongAdder failures = new LongAdder();

	private volatile boolean ejected;

	private volatile long rampStart = NOT_RAMPING;

	private volatile @Nullable LoadReport report;

	/** In flight from other clients, per the last fresh report: other gateways' load. */
	private volatile int elsewhere;

	private volatile long throttledUntil = NOT_THROTTLED;

	public Endpoint(String address, int weight, long decayNanos) {
		if (weight < 0 || weight > MAX_WEIGHT) {
			throw new IllegalArgumentException("weight must be from 0 to " + MAX_WEIGHT + ", got " + weight);
		}
		this.address = address;
		this.weight = weight;
		this.latency = new PeakEwma(decayNanos);
	}

	public String address() {
		return this.address;
	}

	/**
	 * The weight balancers use; 0 means drained: no new requests, in-flight ones finish.
	 * @return the weight, from 0 to {@link #MAX_WEIGHT}
	 */
	public int weight() {
		return this.weight;
	}

	/**
	 * Whether an operator drains this instance: no new requests, in-flight ones finish;
	 * its weight is kept for when it is undrained.
	 * @return true while draining
	 */
	public boolean isDraining() {
		return this.draining;
	}

	void setDraining(boolean draining) {
		this.draining = draining;
	}

	void setWeight(int weight) {
		if (weight < 0 || weight > MAX_WEIGHT) {
			throw new IllegalArgumentException("weight must be from 0 to " + MAX_WEIGHT + ", got " + weight);
		}
		this.weight = weight;
	}

	/**
	 * Whether active health checks let this instance receive new requests. New instances
	 * start up, as with HAProxy, and go down after {@code fall} failed probes.
	 * @return true while UP
	 */
	public boolean isUp() {
		return this.up;
	}

	/**
	 * Whether passive health ejected this instance.
	 * @return true while ejected
	 */
	public boolean isEjected() {
		return this.ejected;
	}

	void eject(String reason) {
		this.ejectionReason = reason;
		this.ejected = true;
	}

	void readmit() {
		this.ejected = false;
	}

	void recordFailure() {
		this.failures.increment();
	}

	/**
	 * Whether balancers may pick this instance: UP, not ejected, not drained, still in
	 * discovery.
	 * @return true while eligible
	 */
	public boolean isEligible() {
		return this.up && !this.ejected && !this.draining && !this.departed && this.weight > 0;
	}

	/**
	 * Whether this instance left discovery: it takes no new requests, and is retired once
	 * those in flight end.
	 * @return true once departed
	 */
	public boolean isDeparted() {
		return this.departed;
	}

	long departedAt() {
		return this.departedAt;
	}

	void setDeparted(boolean departed, long nowNanos) {
		this.departedAt = nowNanos;
		this.departed = departed;
	}

	/**
	 * Requests that failed on this instance: connect failures and 5xx answers.
	 * @return the count since the gateway started
	 */
	public long failures() {
		return this.failures.sum();
	}

	/**
	 * When this endpoint last became eligible (first seen, UP again, readmitted): the
	 * start of its slow-start ramp.
	 * @return a {@code System.nanoTime()}-style instant, or {@link #NOT_RAMPING}
	 */
	long rampStart() {
		return this.rampStart;
	}

	/**
	 * Whether the instance asked for fewer requests (429 or 503 with {@code Retry-After})
	 * for a time not yet over.
	 * @param nowNanos the clock now
	 * @return true while throttled
	 */
	public boolean isThrottled(long nowNanos) {
		long until = this.throttledUntil;
		return until != NOT_THROTTLED && until - nowNanos > 0;
	}

	/**
	 * Throttle until {@code untilNanos}, then ramp up again as after slow start.
	 * @return whether it was not throttled before, so its weight changes now
	 */
	boolean throttle(long nowNanos, long untilNanos) {
		boolean changed = !isThrottled(nowNanos);
		if (changed || untilNanos - this.throttledUntil > 0) {
			this.throttledUntil = untilNanos;
			this.rampStart = untilNanos;
		}
		return changed;
	}

	void startRamp(long nowNanos) {
		this.rampStart = nowNanos;
	}

	boolean setUp(boolean up) {
		boolean changed = this.up != up;
		this.up = up;
		return changed;
	}

	public int inFlight() {
		return this.inFlight.get();
	}

	/**
	 * The load least connections and power of two choices compare: requests in flight
	 * from this gateway, plus those the instance last reported from other clients (other
	 * gateways) while that report is fresh. Own requests are counted live; a worker
	 * buried by another gateway looks buried here too.
	 * @return the estimate, 0 or more
	 */
	public long load() {
		return (long) this.inFlight.get() + this.elsewhere;
	}

	/**
	 * The instance's last load report, while fresh.
	 * @return the report, or null if none came or it expired
	 */
	public @Nullable LoadReport loadReport() {
		return this.report;
	}

	/**
	 * A load report arrived with a response of this instance. It counts what the instance
	 * had in flight as the answered request arrived, that one included; what it counts
	 * beyond this gateway's own requests was sent by others. Own requests are counted at
	 * the same moment, when the answered one was sent ({@code ownAtSend}): counted at the
	 * answer instead, own requests that ended in between would pass for someone else's,
	 * and a single gateway would avoid an instance for load that is gone. The larger of
	 * the two counts is taken, so that own requests sent in between are not taken for
	 * someone else's either.
	 * @param report what the instance reported
	 * @param ownAtSend this gateway's in-flight count to it when the answered request was
	 * sent, that one included
	 */
	void report(LoadReport report, int ownAtSend) {
		this.report = report;
		int own = Math.max(ownAtSend, this.inFlight.get());
		this.elsewhere = Math.max(0, report.inFlight() - own);
	}

	/**
	 * Forget a report received before {@code nanos}: what others sent has changed since.
	 */
	void expireReport(long nanos) {
		LoadReport report = this.report;
		if (report != null && report.receivedAtNanos() - nanos < 0) {
			this.report = null;
			this.elsewhere = 0;
		}
	}

	public long sent() {
		return this.sent.sum();
	}

	/**
	 * A request was sent to this instance: it is in flight until {@link #release()}.
	 * @return this gateway's requests in flight to it now, that one included
	 */
	public int acquire() {
		this.sent.increment();
		return this.inFlight.incrementAndGet();
	}

	/** A request sent to this instance ended, however it ended. */
	public void release() {
		this.inFlight.decrementAndGet();
	}

	/**
	 * Feed the latency estimate with one observed response time.
	 * @param latencyNanos time from the whole request sent to the response's start
	 * @param nowNanos the clock at the observation
	 */
	void observeLatency(long latencyNanos, long nowNanos) {
		this.latency.observe(latencyNanos, nowNanos);
	}

	/**
	 * Why passive health ejected this instance, for operators.
	 * @return the reason of the last ejection, empty before any
	 */
	public String ejectionReason() {
		return this.ejectionReason;
	}

	/**
	 * The latency estimate, decayed to now; negative while nothing was observed.
	 * @param nowNanos the clock now
	 * @return the estimate in nanoseconds, or -1 before the first observation
	 */
	public double latencyEstimate(long nowNanos) {
		return this.latency.estimate(nowNanos);
	}

	@Override
	public String toString() {
		return this.address + "(" + (this.ejected ? "EJECTED" : this.up ? "UP" : "DOWN") + ", w=" + this.weight
				+ ", inFlight=" + inFlight() + ")";
	}

}
