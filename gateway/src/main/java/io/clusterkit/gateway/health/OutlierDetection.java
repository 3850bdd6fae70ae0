package io.clusterkit.gateway.health;

import java.util.List;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One round of latency outlier detection: each service's instances hand over their last
 * window, and the outliers among them are ejected through the registry, under the same
 * guard as every ejection (never past max-ejection-percent, never the last eligible
 * instance).
 *
 * @author clusterkit
 */
final class OutlierDetection implements Runnable {

	private static final Log logger = LogFactory.getLog(OutlierDetection.class);

	private final EndpointRegistry registry;

	private final LatencyOutliers detector;

	OutlierDetection(EndpointRegistry registry, LatencyOutliers detector) {
		this.registry = registry;
		this.detector = detector;
	}

	@Override
	public void run() {
		try {
			this.registry.byService().forEach((service, endpoints) -> {
				List<LatencyOutliers.Sample> samples = endpoints.stream().map((endpoint) -> {
					Endpoint.LatencyWindow window = endpoint.drainLatencyWindow();
					return new LatencyOutliers.Sample(endpoint, window.responses(), window.meanNanos());
				}).toList();
				for (LatencyOutliers.Outlier outlier : this.detector.find(samples)) {
					this.registry.eject(outlier.endpoint(), outlier.reason());
				}
			});
		}
		catch (RuntimeException ex) {
			// a periodic task that throws is never run again
			logger.warn("Latency outlier detection failed this round", ex);
		}
	}

}
