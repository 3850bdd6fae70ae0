#!/usr/bin/env python3
"""What a proxied request costs each proxy, at a fixed offered rate every target carries (no saturation: a saturated
2-core machine measures its own queueing), for one or more builds of our gateway beside the stock Spring Cloud
Gateway, nginx and HAProxy, all in one run in front of the same workers.

    bench/cost.py                       this checkout's gateway jar
    bench/cost.py before=OTHER.jar      and another build of it (e.g. from a git worktree), on its own ports

Every JVM is warmed with closed-loop load until three 10 s windows agree within 5 % (at most BENCH_JVM_WARMUP_MAX
s each); then each target carries BENCH_COST_RATE req/s (hey -q, 32 workers) for BENCH_DURATION s, in
BENCH_ROUNDS interleaved rounds. Per target: the median over rounds of the CPU time (user + system, from /proc)
per request, of the system calls per request (perf stat, every thread), and of hey's per-request p50 and p99.
Writes bench/results/cost.md.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

RATE = int(bench.env_number("BENCH_COST_RATE", 1000))
SECONDS = int(bench.env_number("BENCH_DURATION", 20))
ROUNDS = int(bench.env_number("BENCH_ROUNDS", 3))
HEY_WORKERS = 32
BUILD_PORT_STEP = 100


class Build:
    """One build of our gateway, on its own ports, routing the uniform pool by least connections."""

    def __init__(self, name, jar, offset):
        self.name, self.jar = f"gateway {name}", jar
        self.port = bench.GATEWAY_PORT + offset
        self.management_port = bench.GATEWAY_MANAGEMENT_PORT + offset
        self.process = f"gateway-{name}"

    def endpoint(self, pool):
        return f"http://127.0.0.1:{self.port}", f"{pool}-lc"

    def start(self, processes, config):
        processes.start(self.process, [bench.JAVA, "-jar", self.jar, f"--server.port={self.port}",
                                       f"--management.server.port={self.management_port}",
                                       f"--spring.config.additional-location=file:{config}"])
        bench.wait_ready(self.process, f"http://127.0.0.1:{self.management_port}/actuator/health/readiness",
                         processes)


def builds():
    named = [("this", bench.GATEWAY_JAR)]
    for argument in sys.argv[1:]:
        name, _, jar = argument.partition("=")
        if not jar or not os.path.exists(jar):
            sys.exit(f"cost: '{argument}' is not NAME=JAR with an existing jar")
        named.append((name, jar))
    return [Build(name, jar, i * BUILD_PORT_STEP) for i, (name, jar) in enumerate(named)]


def start_gateways(processes, ours):
    """The workers, every build of ours and the stock gateway, all ready."""
    bench.start_workers(processes)
    config = os.path.join(processes.work, "gateway.yml")
    bench.gateway_config(config)
    for build in ours:
        build.start(processes, config)
    bench.start_stock_gateway(processes)


def measure(target, pids):
    cpu_before = bench.cpu_seconds(pids)
    perf = bench.start_syscall_count(pids, SECONDS)
    latencies, failures = bench.hey(target, bench.UNIFORM, SECONDS, HEY_WORKERS, RATE)
    cpu = bench.cpu_seconds(pids) - cpu_before
    syscalls = bench.finish_syscall_count(perf)
    requests = len(latencies)
    return {"us_per_request": 1e6 * cpu / max(1, requests), "rps": requests / SECONDS,
            "syscalls_per_request": syscalls / max(1, requests) if syscalls is not None else None,
            "p50_ms": bench.percentile(latencies, 50), "p99_ms": bench.percentile(latencies, 99),
            "errors": failures, "rss_mib": bench.rss_mib(pids)}


def main():
    ours = builds()
    work, processes = bench.begin("cost", (bench.WORKER_JAR, bench.STOCK_JAR, *(build.jar for build in ours)))
    started = time.time()
    try:
        bench.log(f"starting the workers, {len(ours)} gateway build(s), the stock gateway, nginx and HAProxy ({work})")
        start_gateways(processes, ours)
        bench.start_nginx(processes)
        bench.start_haproxy(processes)
        time.sleep(3)
        targets = [*ours, bench.STOCK_SCG, bench.NGINX_RR, bench.PEERS[2]]
        pids = {build.name: processes.pids(build.process) for build in ours}
        pids.update({t.name: processes.pids(bench.process_of(t)) for t in targets[len(ours):]})
        warmups = {}
        for target in targets[:len(ours) + 1]:
            bench.log(f"warming {target.name} until stable (at most {bench.JVM_WARMUP_MAX:g} s)")
            warmups[target.name] = bench.warm_until_stable(target, bench.UNIFORM, bench.JVM_WARMUP_WINDOW,
                                                           bench.JVM_WARMUP_MIN, bench.JVM_WARMUP_MAX)
        runs = {target.name: [] for target in targets}
        for round_number in range(1, ROUNDS + 1):
            order = targets if round_number % 2 else list(reversed(targets))
            for target in order:
                row = measure(target, pids[target.name])
                runs[target.name].append(row)
                bench.log(f"round {round_number} {target.name:13} {row['rps']:7.0f} req/s "
                          f"{row['us_per_request']:6.1f} µs/req  p99 {row['p99_ms']:6.1f} ms  errors {row['errors']}")
        write(runs, warmups, round(time.time() - started))
    finally:
        processes.stop_all()
    bench.shutil.rmtree(work, ignore_errors=True)


def write(runs, warmups, seconds):
    facts = bench.versions()
    stock = bench.median(runs[bench.STOCK_SCG.name], "us_per_request")
    nginx = bench.median(runs[bench.NGINX_RR.name], "us_per_request")
    lines = [f"# Cost per proxied request at {RATE} req/s: {time.strftime('%Y-%m-%d')}, {facts['machine']}",
             "",
             f"`bench/cost.py`: every target carries {RATE} req/s (hey, {HEY_WORKERS} workers) for {SECONDS} s in "
             f"each of {ROUNDS} interleaved rounds, after warm-up; medians over the rounds. CPU is the proxy's user + "
             f"system time (all processes for nginx); syscalls are counted by perf on every thread. {facts['java']}. "
             f"Run took {seconds} s. Warm-up (s of load, until three 10 s windows agreed within 5 %): "
             + ", ".join(f"{name} {used}" for name, (used, _) in warmups.items()) + ".",
             "",
             "| target | µs CPU/req | ×stock | ×nginx | syscalls/req | p50 ms | p99 ms | errors | RSS MiB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, rows in runs.items():
        cost = bench.median(rows, "us_per_request")
        syscalls = bench.median(rows, "syscalls_per_request")
        lines.append(f"| {name} | {cost:.0f} | {cost / stock:.2f} | {cost / nginx:.1f} | "
                     f"{'' if syscalls is None else f'{syscalls:.1f}'} | {bench.median(rows, 'p50_ms'):.1f} | "
                     f"{bench.median(rows, 'p99_ms'):.1f} | {sum(row['errors'] for row in rows)} | "
                     f"{max(row['rss_mib'] for row in rows):.0f} |")
    lines += ["", bench.every_round(runs)]
    bench.publish("cost.md", lines)


if __name__ == "__main__":
    main()
