package io.clusterkit.gateway.balancer;

/**
 * Picks one endpoint of a pool for a new request. A balancer only picks: which endpoints
 * are eligible (known, healthy, not drained) is settled before, when the {@link Pool} is
 * built. Implementations are thread-safe, lock-free and allocate nothing per pick.
 *
 * @author clusterkit
 */
public interface Balancer {

	/**
	 * Pick an endpoint.
	 * @param pool the eligible endpoints, never empty
	 * @return the index of the chosen endpoint in the pool
	 */
	int pick(Pool pool);

}
