package io.clusterkit.gateway.limits;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What each client holds open at once: requests in progress and WebSockets, up to a cap
 * per client address. Lock-free: a counter per client, created on its first request and
 * removed when it drops to zero, so memory follows the clients active right now. A
 * counter being removed is marked -1 first; whoever meets the mark waits for the removal
 * and starts a new one, so no count is ever lost to the race.
 *
 * @author clusterkit
 */
final class ClientConcurrency {

	private static final int RETIRED = -1;

	private final ConcurrentHashMap<InetAddress, AtomicInteger> held = new ConcurrentHashMap<>();

	private final int max;

	ClientConcurrency(int max) {
		this.max = max;
	}

	/**
	 * Count one more for the client, unless it holds the most already.
	 * @param client the client's address
	 * @return whether it was counted
	 */
	boolean tryAcquire(InetAddress client) {
		while (true) {
			AtomicInteger count = this.held.get(client);
			if (count == null) {
				if (this.held.putIfAbsent(client, new AtomicInteger(1)) == null) {
					return true;
				}
				continue;
			}
			int n = count.get();
			if (n == RETIRED) {
				Thread.onSpinWait();
				continue;
			}
			if (n >= this.max) {
				return false;
			}
			if (count.compareAndSet(n, n + 1)) {
				return true;
			}
		}
	}

	/**
	 * One the client held has ended.
	 * @param client the client's address
	 */
	void release(InetAddress client) {
		AtomicInteger count = this.held.get(client);
		if (count != null && count.decrementAndGet() == 0 && count.compareAndSet(0, RETIRED)) {
			this.held.remove(client, count);
		}
	}

	/**
	 * The clients holding anything open now.
	 * @return how many
	 */
	int clients() {
		return this.held.size();
	}

}
