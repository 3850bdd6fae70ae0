package io.clusterkit.gateway.health;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.clusterkit.gateway.balancer.Endpoint;

/**
 * Latency outlier detection: an instance whose median latency over the last window is
 * {@code factor} times the median of its peers' and above an absolute floor, with enough
 * responses to judge, is an outlier, ejected like a failing one. Envoy's outlier
 * detection has no latency detector (an open request since 2016), nginx and HAProxy none
 * either; a balancer alone keeps sending a slow instance its share whenever the pool is
 * idle (least connections ties) or busy everywhere, and every request it gets sets the
 * tail.
 * <p>
 * Peers, not a fixed threshold: a pool where all are equally slow ejects nobody, and a
 * slow dependency shared by all is not blamed on one. The floor keeps microsecond
 * differences (2 ms against 0.5 ms) from counting. Medians, not means, and latency from
 * the whole request sent to the response's start: a client that sends a few expensive
 * requests, or uploads slowly, makes no instance look slow ({@link LatencyWindow}). The
 * price: an instance slow on a minority of requests (a GC pause every few seconds) is
 * left to the balancer (peak EWMA, least connections), never ejected. Cost: one pass and
 * a sort of a service's medians per window.
 *
 * @author clusterkit
 */
final class LatencyOutliers {

	private final double factor;

	private final long floorNanos;

	private final long minResponses;

	LatencyOutliers(double factor, long floorNanos, long minResponses) {
		this.factor = factor;
		this.floorNanos = floorNanos;
		this.minResponses = minResponses;
	}

	/**
	 * The outliers among one service's instances.
	 * @param samples each instance's last window
	 * @return the outliers, each with the reason operators read
	 */
	List<Outlier> find(List<Sample> samples) {
		List<Sample> judged = samples.stream().filter(this::isJudged).toList();
		if (judged.size() < 2) {
			return List.of();
		}
		List<Outlier> outliers = new ArrayList<>();
		for (Sample sample : judged) {
			double peers = medianWithout(judged, sample);
			if (sample.medianNanos() > this.floorNanos && sample.medianNanos() > this.factor * peers) {
				outliers.add(new Outlier(sample.endpoint(), String.format(Locale.ROOT,
						"median latency %.0f ms vs peers' %.1f ms", sample.medianNanos() / 1e6, peers / 1e6)));
			}
		}
		return outliers;
	}

	/**
	 * Whether a window has enough responses to be judged.
	 * @param sample the window
	 * @return whether it is judged
	 */
	boolean isJudged(Sample sample) {
		return sample.responses() >= this.minResponses;
	}

	long minResponses() {
		return this.minResponses;
	}

	private static double medianWithout(List<Sample> samples, Sample left) {
		double[] medians = samples.stream()
			.filter((sample) -> sample != left)
			.mapToDouble(Sample::medianNanos)
			.toArray();
		Arrays.sort(medians);
		int middle = medians.length / 2;
		return (medians.length % 2 == 1) ? medians[middle] : (medians[middle - 1] + medians[middle]) / 2;
	}

	/**
	 * One instance's window.
	 *
	 * @param endpoint the instance
	 * @param responses responses in the window
	 * @param medianNanos their median latency
	 */
	record Sample(Endpoint endpoint, long responses, double medianNanos) {

	}

	/**
	 * An instance to eject.
	 *
	 * @param endpoint the instance
	 * @param reason why
	 */
	record Outlier(Endpoint endpoint, String reason) {

	}

}
