package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Envoy's client-side weighted round robin: weights from the instances' own load reports
 * ({@link LoadReport}), {@code qps / (utilization + penalty × eps / qps)}, recomputed
 * once per period, and smooth weighted round robin over them
 * ({@link SmoothWeightedRoundRobin}). An instance that serves more requests per unit of
 * CPU gets more: fleets of unequal machines, or of unequal neighbours, are balanced by
 * what they achieve, not by weights an operator guessed. Errors count as utilization, so
 * an instance that fails fast does not look efficient.
 * <p>
 * An instance without a usable report (none yet, expired, no requests or no CPU measured)
 * gets the mean weight of those with one, as in Envoy; without any report all are equal.
 * Configured weights and slow start's ramp multiply in, so an operator's drain and a
 * newcomer's ramp still work. Envoy's blackout period (ignore a newcomer's first reports)
 * is left to slow start.
 * <p>
 * Cost: one clock read and one atomic increment per pick; once per period a pass over the
 * pool and a new schedule (O(total weight), capped as in smooth WRR). The period trades
 * reaction time against churn: a second, as Envoy's default.
 *
 * @author clusterkit
 */
final class LoadWeighted implements Balancer {

	/** Envoy's {@code error_utilization_penalty} default. */
	static final double ERROR_PENALTY = 1.0;

	/** The largest weight a schedule gives; the smallest is 1. */
	static final int SCALE = 100;

	/** How often weights are computed again: Envoy's {@code weight_update_period}. */
	static final long PERIOD_NANOS = 1_000_000_000L;

	private final LongSupplier nanoClock;

	private final long periodNanos;

	private final AtomicInteger position = new AtomicInteger();

	private volatile Schedule schedule = new Schedule(null, Long.MIN_VALUE, new int[0]);

	LoadWeighted(LongSupplier nanoClock, long periodNanos) {
		this.nanoClock = nanoClock;
		this.periodNanos = periodNanos;
	}

	@Override
	public int pick(Pool pool) {
		Schedule current = this.schedule;
		long now = this.nanoClock.getAsLong();
		if (current.pool != pool || now - current.computedAt >= this.periodNanos) {
			// two threads may both recompute at a period's turn: the same result, once
			current = new Schedule(pool, now, SmoothWeightedRoundRobin.schedule(weights(pool)));
			this.schedule = current;
		}
		int pos = this.position.getAndIncrement() & Integer.MAX_VALUE;
		return current.order[pos % current.order.length];
	}

	/** The weights of one period, from 1 to {@link #SCALE}. */
	static int[] weights(Pool pool) {
		double[] raw = new double[pool.size()];
		double sum = 0;
		int known = 0;
		for (int i = 0; i < raw.length; i++) {
			raw[i] = fromReport(pool.get(i).loadReport());
			if (raw[i] > 0) {
				sum += raw[i];
				known++;
			}
		}
		double mean = (known > 0) ? sum / known : 1;
		double max = 0;
		for (int i = 0; i < raw.length; i++) {
			raw[i] = ((raw[i] > 0) ? raw[i] : mean) * pool.weight(i);
			max = Math.max(max, raw[i]);
		}
		int[] weights = new int[raw.length];
		for (int i = 0; i < raw.length; i++) {
			weights[i] = (int) Math.max(1, Math.round(raw[i] / max * SCALE));
		}
		return weights;
	}

	/** Envoy's weight of one report; 0 when it says too little to weigh. */
	static double fromReport(@Nullable LoadReport report) {
		if (report == null || report.rps() <= 0) {
			return 0;
		}
		double utilization = report.cpuUtilization() + ERROR_PENALTY * report.eps() / report.rps();
		return (utilization > 0) ? report.rps() / utilization : 0;
	}

	private record Schedule(@Nullable Pool pool, long computedAt, int[] order) {
	}

}
