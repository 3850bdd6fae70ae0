package io.clusterkit.gateway.limits;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConcurrencyTests {

	final ClientConcurrency concurrency = new ClientConcurrency(3);

	final InetAddress client = InetAddress.getLoopbackAddress();

	@Test
	void shouldRefuseOnlyPastTheCapAndForgetIdleClients() throws Exception {
		InetAddress other = InetAddress.getByName("127.0.0.2");
		for (int i = 0; i < 3; i++) {
			assertThat(this.concurrency.tryAcquire(this.client)).isTrue();
		}
		assertThat(this.concurrency.tryAcquire(this.client)).isFalse();
		assertThat(this.concurrency.tryAcquire(other)).as("another client").isTrue();
		this.concurrency.release(this.client);
		assertThat(this.concurrency.tryAcquire(this.client)).isTrue();
		for (int i = 0; i < 3; i++) {
			this.concurrency.release(this.client);
		}
		this.concurrency.release(other);
		assertThat(this.concurrency.clients()).isZero();
	}

	@Test
	void shouldLoseNoCountWhenClientsComeAndGoAtOnce() {
		ClientConcurrency wide = new ClientConcurrency(1_000_000);
		CompletableFuture<?>[] racers = IntStream.range(0, 4).mapToObj((i) -> CompletableFuture.runAsync(() -> {
			for (int n = 0; n < 100_000; n++) {
				assertThat(wide.tryAcquire(this.client)).isTrue();
				wide.release(this.client);
			}
		})).toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(racers).join();
		assertThat(wide.clients()).isZero();
		assertThat(wide.tryAcquire(this.client)).isTrue();
	}

}
