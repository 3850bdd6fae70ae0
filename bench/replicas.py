#!/usr/bin/env python3
"""Two gateways in front of the same three workers, at fixed offered rates: does the second one see the load the
first one puts on a worker? And what does the load report cost a worker?

    bench/replicas.py                   writes bench/results/replicas.md (~10 minutes)

Each worker does CPU work on one thread (-Dreactor.schedulers.defaultPoolSize=1), so a worker buried by CPU work is
slow for everyone's CPU work, as a real one is, while the machine as a whole is not saturated. Gateway A (ours, only
worker w1 in its list) carries closed-loop long requests (A_CLIENTS clients, /api/v1/work?cpuMs=20&sleepMs=100):
w1's thread stays busy. Then each target in gateway B's place carries B_RATE req/s of short CPU requests
(/api/v1/work?cpuMs=2, hey -q) over all three workers for SECONDS s, in ROUNDS interleaved rounds: ours reading the
workers' load reports, ours with them off, the stock Spring Cloud Gateway (round robin), nginx least_conn and
HAProxy leastconn, all blind to A. Per target: per-request p50/p99 and the share that went to w1 (from the workers'
served counters: A sends nothing to w2 and w3).

The header's cost: two more workers, reports on and off, each at WORKER_RATE req/s of GET /api/v1/hello straight
from hey, CPU time per request from /proc, medians of ROUNDS interleaved rounds after WORKER_WARMUP s of load.
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

A_CLIENTS = int(bench.env_number("BENCH_A_CLIENTS", 12))
B_RATE = int(bench.env_number("BENCH_B_RATE", 50))
SECONDS = int(bench.env_number("BENCH_DURATION", 20))
ROUNDS = int(bench.env_number("BENCH_ROUNDS", 2))
WARMUP = int(bench.env_number("BENCH_WARMUP", 40))
WORKER_RATE = int(bench.env_number("BENCH_WORKER_RATE", 1000))
WORKER_WARMUP = int(bench.env_number("BENCH_WORKER_WARMUP", 60))
HEY_WORKERS = 10
LONG = "/api/v1/work?cpuMs=20&sleepMs=100"
SHORT = bench.Scenario("short", "u", "/api/v1/work?cpuMs=2", "", ())
HELLO = bench.Scenario("hello", "u", "/api/v1/hello", "", ())
WORKER_PORTS = (19001, 19002, 19003)
REPORTING_PORTS = {19011: "reports on", 19012: "reports off"}


class Ours:
    """One of our gateways on its own ports, with its own worker list."""

    def __init__(self, name, port, workers, reports=True):
        self.name, self.port, self.workers, self.reports = name, port, workers, reports
        self.process = name.replace(" ", "-")

    def endpoint(self, pool):
        return f"http://127.0.0.1:{self.port}", f"127.0.0.1:{self.port}"

    def start(self, processes):
        args = [bench.JAVA, "-jar", bench.GATEWAY_JAR, f"--server.port={self.port}",
                f"--management.server.port={self.port + 1}", f"--cluster.balancer.load-report.enabled={self.reports}"]
        args += [f"--spring.cloud.discovery.client.simple.instances.worker-service[{i}].uri=http://127.0.0.1:{port}"
                 for i, port in enumerate(self.workers)]
        processes.start(self.process, args)

    def wait(self, processes):
        bench.wait_ready(self.process, f"http://127.0.0.1:{self.port + 1}/actuator/health/readiness", processes)


class Direct:
    def __init__(self, name, port):
        self.name, self.port = name, port

    def endpoint(self, pool):
        return f"http://127.0.0.1:{self.port}", f"127.0.0.1:{self.port}"


GATEWAY_A = Ours("gateway A", 18300, WORKER_PORTS[:1])
GATEWAY_B = Ours("ours, load reports", 18310, WORKER_PORTS)
GATEWAY_BLIND = Ours("ours, reports off", 18320, WORKER_PORTS, reports=False)


def start(processes):
    for i, port in enumerate(WORKER_PORTS):
        processes.start(f"w{i + 1}", [bench.JAVA, "-Dreactor.schedulers.defaultPoolSize=1", "-jar", bench.WORKER_JAR,
                                      f"--server.port={port}", f"--worker.instance-id=w{i + 1}"])
    for port, name in REPORTING_PORTS.items():
        processes.start(name.replace(" ", "-"), [bench.JAVA, "-jar", bench.WORKER_JAR, f"--server.port={port}",
                                                 f"--worker.load-report.enabled={port == 19011}"])
    for i, port in enumerate(WORKER_PORTS):
        bench.wait_ready(f"w{i + 1}", f"http://127.0.0.1:{port}/actuator/health/readiness", processes)
    for port, name in REPORTING_PORTS.items():
        bench.wait_ready(name.replace(" ", "-"), f"http://127.0.0.1:{port}/actuator/health/readiness", processes)
    for gateway in (GATEWAY_A, GATEWAY_B, GATEWAY_BLIND):
        gateway.start(processes)
    for gateway in (GATEWAY_A, GATEWAY_B, GATEWAY_BLIND):
        gateway.wait(processes)
    bench.start_stock_gateway(processes)
    bench.start_nginx(processes)
    bench.start_haproxy(processes)
    time.sleep(3)


def b_round(target):
    """A's long requests on w1 while the target carries B's short ones: p50, p99, share of w1."""
    url, _ = GATEWAY_A.endpoint("u")
    a_load = subprocess.Popen(["hey", "-z", f"{SECONDS + 5}s", "-c", str(A_CLIENTS), url + LONG],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        before = bench.served(WORKER_PORTS[1:])
        latencies, failures = bench.hey(target, SHORT, SECONDS, HEY_WORKERS, B_RATE)
        after = bench.served(WORKER_PORTS[1:])
    finally:
        a_load.wait(SECONDS + 60)
    elsewhere = sum(after[port][0] - before[port][0] for port in WORKER_PORTS[1:])
    total = len(latencies)
    return {"p50_ms": bench.percentile(latencies, 50), "p99_ms": bench.percentile(latencies, 99),
            "share_w1": max(0.0, 1 - elsewhere / max(1, total)), "requests": total, "errors": failures}


def worker_round(processes, port, name):
    pids = processes.pids(name.replace(" ", "-"))
    before = bench.cpu_seconds(pids)
    latencies, _ = bench.hey(Direct(name, port), HELLO, SECONDS, 32, WORKER_RATE)
    return 1e6 * (bench.cpu_seconds(pids) - before) / max(1, len(latencies))


def main():
    work, processes = bench.begin("replicas", (bench.WORKER_JAR, bench.GATEWAY_JAR, bench.STOCK_JAR))
    started = time.time()
    targets = [GATEWAY_B, GATEWAY_BLIND, bench.STOCK_SCG, bench.PEERS[1], bench.PEERS[3]]
    try:
        bench.log(f"starting 5 workers, 3 gateways of ours, the stock gateway, nginx and HAProxy ({work})")
        start(processes)
        for target in (GATEWAY_A, GATEWAY_B, GATEWAY_BLIND, bench.STOCK_SCG):
            bench.log(f"warming {target.name}: {WARMUP} s at {10 * B_RATE} req/s")
            bench.hey(target, SHORT, WARMUP, 32, 10 * B_RATE)
        runs = {target.name: [] for target in targets}
        for round_number in range(1, ROUNDS + 1):
            for target in (targets if round_number % 2 else list(reversed(targets))):
                row = b_round(target)
                runs[target.name].append(row)
                bench.log(f"round {round_number} {target.name:20} p50 {row['p50_ms']:6.1f} ms  p99 "
                          f"{row['p99_ms']:7.1f} ms  share of w1 {100 * row['share_w1']:5.1f} %  errors {row['errors']}")
        for port, name in REPORTING_PORTS.items():
            bench.log(f"warming the worker with {name}: {WORKER_WARMUP} s")
            bench.hey(Direct(name, port), HELLO, WORKER_WARMUP, 32)
        costs = {name: [] for name in REPORTING_PORTS.values()}
        for round_number in range(1, 2 * ROUNDS + 2):
            order = list(REPORTING_PORTS.items())
            for port, name in (order if round_number % 2 else reversed(order)):
                costs[name].append(worker_round(processes, port, name))
                bench.log(f"round {round_number} worker, {name}: {costs[name][-1]:.1f} µs/req")
        write(runs, costs, round(time.time() - started))
    finally:
        processes.stop_all()
    bench.shutil.rmtree(work, ignore_errors=True)


def write(runs, costs, seconds):
    facts = bench.versions()
    lines = [f"# Load reports across gateway replicas: {time.strftime('%Y-%m-%d')}, {facts['machine']}", "",
             f"`bench/replicas.py`: gateway A keeps {A_CLIENTS} closed-loop clients of `{LONG}` on worker w1 (the only "
             f"one it knows); each target in gateway B's place carries {B_RATE} req/s of `{SHORT.path}` (hey -q) over "
             f"w1, w2, w3 for {SECONDS} s, in {ROUNDS} interleaved rounds; medians over the rounds. Workers run CPU work "
             f"on one thread each. The share of w1 comes from the workers' served counters. {facts['java']}. "
             f"Run took {seconds} s.", "",
             "| in B's place | p50 ms | p99 ms | share of w1 | errors |", "|---|---|---|---|---|"]
    for name, rows in runs.items():
        lines.append(f"| {name} | {bench.median(rows, 'p50_ms'):.1f} | {bench.median(rows, 'p99_ms'):.1f} | "
                     f"{100 * bench.median(rows, 'share_w1'):.1f} % | {sum(row['errors'] for row in rows)} |")
    on, off = (statistics.median(costs[name]) for name in REPORTING_PORTS.values())
    lines += ["", f"The load report's cost on a worker: GET /api/v1/hello at {WORKER_RATE} req/s straight from hey, "
              f"{len(costs['reports on'])} interleaved rounds of {SECONDS} s, medians: **{on:.1f} µs CPU per request "
              f"with the header, {off:.1f} without** ({on - off:+.1f} µs, {100 * (on - off) / off:+.1f} %); "
              f"per round: on " + ", ".join(f"{c:.1f}" for c in costs['reports on']) + "; off "
              + ", ".join(f"{c:.1f}" for c in costs['reports off']) + "."]
    path = os.path.join(bench.OUT, "replicas.md")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
    bench.log(f"wrote {path}")


if __name__ == "__main__":
    main()
