package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin: each pick takes the next endpoint in the pool, ignoring weights and load.
 * <p>
 * Cost: one atomic increment. The position is independent of the pool, so the rotation
 * carries on when instances come and go. Spreads requests evenly by count, which is right
 * only when every request costs the same and every instance is equally fast: one slow
 * instance still receives its full share and holds the requests queued on it.
 *
 * @author clusterkit
 */
final class RoundRobin implements Balancer {

	private final AtomicInteger position = new AtomicInteger();

	@Override
	public int pick(Pool pool) {
		int pos = this.position.getAndIncrement() & Integer.MAX_VALUE;
		return pos % pool.size();
	}

}
