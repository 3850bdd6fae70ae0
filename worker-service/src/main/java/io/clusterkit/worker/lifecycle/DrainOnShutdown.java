package io.clusterkit.worker.lifecycle;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.clusterkit.worker.WorkerProperties;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first thing a worker does on SIGTERM: turn readiness to OUT_OF_SERVICE while it
 * still serves, and keep serving for the drain delay, long enough for every gateway's
 * health check (fall x interval) to stop sending to it. Only then does the web server's
 * graceful shutdown close the port and let in-flight requests finish. Without the delay
 * Reactor Netty stops accepting at once, and requests a gateway sends in the meantime are
 * refused.
 *
 * @author clusterkit
 */
@Component
class DrainOnShutdown implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DrainOnShutdown.class);

	private final ApplicationEventPublisher publisher;

	private final Duration drainDelay;

	private volatile boolean running;

	DrainOnShutdown(ApplicationEventPublisher publisher, WorkerProperties properties) {
		this.publisher = publisher;
		this.drainDelay = properties.lifecycle().drainDelay();
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
		if (!this.drainDelay.isZero()) {
			logger.info("Readiness is OUT_OF_SERVICE; still serving for the drain delay of " + this.drainDelay);
			try {
				Thread.sleep(this.drainDelay.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops before everything else, the web server included. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
