package io.clusterkit.gateway.balancer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one pick, per algorithm, over a pool of 64 instances with mixed weights,
 * requests in flight and latency estimates: what every proxied request pays for its
 * balancing. Not a test: {@code bench/jmh} runs it (JMH, forked JVM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {

	@Param({ "round-robin", "weighted-round-robin", "least-connections", "weighted-least-connections",
			"power-of-two-choices", "peak-ewma" })
	public String algorithm;

	@Param("64")
	public int instances;

	private Pool pool;

	private Balancer balancer;

	@Setup
	public void setUp() {
		Algorithm chosen = List.of(Algorithm.values())
			.stream()
			.filter((candidate) -> candidate.id().equals(this.algorithm))
			.findFirst()
			.orElseThrow();
		SplittableRandom random = new SplittableRandom(42);
		List<Endpoint> endpoints = new ArrayList<>();
		for (int i = 0; i < this.instances; i++) {
			Endpoint endpoint = new Endpoint("10.0.0." + i + ":9001", 1 + random.nextInt(10), Endpoints.DECAY);
			Endpoints.setInFlight(endpoint, random.nextInt(8));
			endpoint.observeLatency(1_000_000L + random.nextInt(5_000_000), System.nanoTime());
			endpoints.add(endpoint);
		}
		this.pool = Pool.of(endpoints, Collections.nCopies(endpoints.size(), null),
				new Weighting(chosen.weighted(), 0, 100), System.nanoTime());
		this.balancer = chosen.create(new SplittableRandom(7), System::nanoTime);
	}

	@Benchmark
	public int pick() {
		return this.balancer.pick(this.pool);
	}

}
