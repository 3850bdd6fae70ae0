package io.clusterkit.gateway.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Least connections (HAProxy's {@code leastconn}, nginx's {@code least_conn}): the
 * endpoint with the fewest requests in flight for its weight ({@link Endpoint#load()}:
 * this gateway's, plus other gateways' as the instance reports them): it compares
 * {@code (inFlight + 1) / weight} (HAProxy's weighted leastconn); the {@code + 1} makes
 * weights count on an idle pool too, where plain {@code inFlight / weight} would be 0 for
 * everyone. Unweighted, every pool weight is the same but for slow start's ramp, and it
 * reduces to the fewest in flight.
 * <p>
 * Ties go to the first endpoint met from a start that rotates with every pick, never to
 * the first of the list: when all are idle the traffic is spread, not piled on one. Cost:
 * one scan of the pool (O(n)), no allocation. Adapts to slow instances and long requests
 * (streams, WebSockets) because their requests stay in flight; blind to latency while an
 * instance answers quickly with errors or is slow but not yet loaded, which is what
 * {@code peak-ewma} adds.
 *
 * @author clusterkit
 */
final class LeastConnections implements Balancer {

	private final AtomicInteger rotation = new AtomicInteger();

	@Override
	public int pick(Pool pool) {
		int size = pool.size();
		int start = (this.rotation.getAndIncrement() & Integer.MAX_VALUE) % size;
		int best = start;
		long bestLoad = pool.get(start).load() + 1L;
		long bestWeight = pool.weight(start);
		for (int step = 1; step < size; step++) {
			int candidate = start + step;
			if (candidate >= size) {
				candidate -= size;
			}
			long load = pool.get(candidate).load() + 1L;
			long weight = pool.weight(candidate);
			// load / weight < bestLoad / bestWeight, without division
			if (load * bestWeight < bestLoad * weight) {
				best = candidate;
				bestLoad = load;
				bestWeight = weight;
			}
		}
		return best;
	}

}
