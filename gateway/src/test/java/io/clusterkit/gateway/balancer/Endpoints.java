package io.clusterkit.gateway.balancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test pools of plain endpoints, named a, b, c, ...
 */
final class Endpoints {

	static final long DECAY = Duration.ofSeconds(10).toNanos();

	private Endpoints() {
	}

	static List<Endpoint> withWeights(int... weights) {
		List<Endpoint> endpoints = new ArrayList<>();
		for (int i = 0; i < weights.length; i++) {
			endpoints.add(new Endpoint(String.valueOf((char) ('a' + i)), weights[i], DECAY));
		}
		return endpoints;
	}

	static void setInFlight(Endpoint endpoint, int count) {
		while (endpoint.inFlight() < count) {
			endpoint.acquire();
		}
		while (endpoint.inFlight() > count) {
			endpoint.release();
		}
	}

	static int[] counts(Pool pool, Balancer balancer, int picks) {
		int[] counts = new int[pool.size()];
		for (int i = 0; i < picks; i++) {
			counts[balancer.pick(pool)]++;
		}
		return counts;
	}

}
