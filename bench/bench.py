#!/usr/bin/env python3
"""The clusterkit benchmark: our gateway against nginx and HAProxy, in front of the same workers, on loopback.

Run it through bench/run (which installs the tools and builds the jars). Python 3 standard library only.

Targets: direct to one worker (the ceiling), our gateway with each algorithm, nginx (round robin, least_conn; upstream
keepalive) and HAProxy (roundrobin, leastconn; http-reuse always), all in front of the same JVM workers. One gateway
process serves every algorithm: a route per (pool, algorithm), chosen by the Host header, so every algorithm runs on
the same warmed JVM. nginx runs 1 worker process, HAProxy 1 thread: one core's worth of proxy, like the gateway's
event loops sharing the same 2 cores.

Scenarios: uniform (/api/v1/hello on 3 equal workers), heterogeneous (one of the 3 answers SLOW_MS late), mixed
(/api/v1/work of three costs, bench/lua/mixed.lua), sse (long-lived event streams held open while short requests run).

Closed loop: wrk, same connections and duration for every target, each run after a short warm-up of that target,
rounds interleaved so drift hits every target alike; each target's best round is reported. wrk corrects its latency histogram
for coordinated omission (stats_correct() in wrk.c) before printing it: those columns are "wrk (CO-corrected)". Per
request percentiles come from hey (-o csv, every response's own latency) in the heterogeneous scenario, and in the
open-loop runs (hey -q) at half of nginx round robin's uniform throughput.
"""

import csv
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
LUA = os.path.join(BENCH, "lua")
OUT = os.environ.get("BENCH_RESULTS", os.path.join(BENCH, "results"))
VERSION = "0.1.0-SNAPSHOT"
WORKER_JAR = os.path.join(ROOT, "worker-service", "target", f"worker-service-{VERSION}-exec.jar")
GATEWAY_JAR = os.path.join(ROOT, "gateway", "target", f"gateway-{VERSION}.jar")
STOCK_JAR = os.path.join(ROOT, "bench", "stock-gateway", "target", f"stock-gateway-{VERSION}.jar")


def env_number(name, default):
    value = os.environ.get(name, str(default))
    try:
        return float(value)
    except ValueError:
        sys.exit(f"bench: {name} must be a number, got '{value}'")


CONNECTIONS = int(env_number("BENCH_CONNECTIONS", 32))
DURATION = env_number("BENCH_DURATION", 3)
TARGET_WARMUP = env_number("BENCH_TARGET_WARMUP", 1)
ROUNDS = int(env_number("BENCH_ROUNDS", 2))
JVM_WARMUP_MIN = env_number("BENCH_JVM_WARMUP_MIN", 60)
JVM_WARMUP_MAX = env_number("BENCH_JVM_WARMUP_MAX", 150)
JVM_WARMUP_WINDOW = env_number("BENCH_JVM_WARMUP_WINDOW", 10)
STABLE_WITHIN = 0.05
SLOW_MS = int(env_number("BENCH_SLOW_MS", 50))
STREAMS = int(env_number("BENCH_STREAMS", 24))
OPEN_LOOP_SECONDS = env_number("BENCH_OPEN_LOOP_DURATION", 3)
OPEN_LOOP_WORKERS = 64
# BENCH_OUTLIERS=1 runs only the bad-worker scenarios at a fixed offered rate (results/outliers.md): the rate every
# target carries, so the balancer, not the proxy's CPU, decides the tail. (a) steady: w4 SLOW_MS late on every
# request; (b) gc: w4 200 ms late on 10 % of requests; each target first runs for the settle time (more than two
# windows of the gateway's latency outlier detection), then is measured. (c) degrading: w4 from 0 to +100 ms over
# DEGRADE_SECONDS, then back to 0; measured throughout, with the time w4 takes to get its fair share back.
OUTLIERS = os.environ.get("BENCH_OUTLIERS") == "1"
OUTLIER_RATE = int(env_number("BENCH_OUTLIER_RATE", 200))
OUTLIER_WORKERS = 32
OUTLIER_SETTLE = env_number("BENCH_OUTLIER_SETTLE", 25)
OUTLIER_SECONDS = env_number("BENCH_OUTLIER_DURATION", 20)
DEGRADE_BEFORE, DEGRADE_AFTER, DEGRADE_PEAK_MS = 10, 45, 100
DEGRADE_SECONDS = int(env_number("BENCH_DEGRADE_DURATION", 60))
# Recovered: w4's share over RECOVERY_WINDOW seconds at least RECOVERY_FRACTION of a fair third.
RECOVERY_WINDOW, RECOVERY_FRACTION = 5, 0.8
JAVA = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
# Extra JVM options for the gateway only, for A/B runs (e.g. -Dreactor.netty.native=false).
GATEWAY_JAVA_OPTS = os.environ.get("BENCH_GATEWAY_JAVA_OPTS", "").split()

WORKERS = {19001: "w1", 19002: "w2", 19003: "w3", 19004: "w4-slow"}
POOLS = {"u": [19001, 19002, 19003], "h": [19001, 19002, 19004]}
if OUTLIERS:
    # The same workers as h under other names: each scenario meets the gateway's passive health fresh.
    POOLS.update({"g": POOLS["h"], "d": POOLS["h"]})
SLOW_PORT = 19004
GATEWAY_PORT, GATEWAY_MANAGEMENT_PORT = 18080, 18081
# A stock Spring Cloud Gateway (bench/stock-gateway: none of our code, its defaults) runs in the uniform and
# heterogeneous scenarios: what the framework costs by itself, the yardstick of our proxy's cost. BENCH_STOCK=0 leaves
# it out (its warm-up takes about 2 minutes).
STOCK = os.environ.get("BENCH_STOCK", "1") == "1" and not OUTLIERS
STOCK_PORT = 18090
ALGORITHMS = [("rr", "round-robin"), ("wrr", "weighted-round-robin"), ("lc", "least-connections"),
              ("wlc", "weighted-least-connections"), ("p2c", "power-of-two-choices"), ("ewma", "peak-ewma")]
PEER_PORTS = {("nginx", "rr"): 18100, ("nginx", "lc"): 18110, ("haproxy", "rr"): 18200, ("haproxy", "lc"): 18210}
POOL_OFFSET = {"u": 0, "h": 1, "g": 2, "d": 3}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # direct | gateway | stock | nginx | haproxy
    short: str  # algorithm short name

    def endpoint(self, pool):
        """Base URL and Host header that reach this target's upstream pool."""
        if self.kind == "direct":
            return "http://127.0.0.1:19001", "127.0.0.1:19001"
        if self.kind == "gateway":
            return f"http://127.0.0.1:{GATEWAY_PORT}", f"{pool}-{self.short}"
        if self.kind == "stock":
            return f"http://127.0.0.1:{STOCK_PORT}", f"{pool}-{self.short}"
        port = PEER_PORTS[(self.kind, self.short)] + POOL_OFFSET[pool]
        return f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"


DIRECT = Target("direct w1", "direct", "-")
GATEWAYS = [Target(f"gateway {short}", "gateway", short) for short, _ in ALGORITHMS]
PEERS = [Target(f"{kind} {short}", kind, short) for kind, short in PEER_PORTS]
NGINX_RR = PEERS[0]
CORE_GATEWAYS = [t for t in GATEWAYS if t.short in ("rr", "lc", "p2c", "ewma")]
STOCK_SCG = Target("stock scg rr", "stock", "rr")
STOCK_TARGETS = (STOCK_SCG,) if STOCK else ()
OUTLIER_TARGETS = (*CORE_GATEWAYS, PEERS[1], PEERS[3])


@dataclass(frozen=True)
class Scenario:
    name: str
    pool: str
    path: str
    script: str
    targets: tuple
    per_request: bool = False
    streams: bool = False


SCENARIOS = [
    Scenario("uniform", "u", "/api/v1/hello", "report.lua", (DIRECT, *GATEWAYS, *STOCK_TARGETS, *PEERS)),
    # The weighted twins equal their plain forms here (equal weights): uniform measures their cost.
    Scenario("heterogeneous", "h", "/api/v1/hello", "report.lua", (*CORE_GATEWAYS, *STOCK_TARGETS, *PEERS),
             per_request=True),
    Scenario("mixed", "u", "/", "mixed.lua", (DIRECT, *CORE_GATEWAYS, *PEERS)),
    Scenario("sse", "u", "/api/v1/hello", "report.lua", (*CORE_GATEWAYS, *PEERS), streams=True),
]
UNIFORM, HETERO = SCENARIOS[0], SCENARIOS[1]
# For quick A/B runs: only these scenarios and targets (comma-separated names, e.g. "uniform" and "gateway lc,nginx rr").
# The markdown and chart need uniform, heterogeneous and nginx rr.
ONLY_SCENARIOS = [name for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name]
ONLY_TARGETS = [name for name in os.environ.get("BENCH_TARGETS", "").split(",") if name]
if ONLY_TARGETS:
    OUTLIER_TARGETS = tuple(t for t in OUTLIER_TARGETS if t.name in ONLY_TARGETS)
if ONLY_SCENARIOS or ONLY_TARGETS:
    SCENARIOS = [Scenario(s.name, s.pool, s.path, s.script,
                          tuple(t for t in s.targets if not ONLY_TARGETS or t.name in ONLY_TARGETS or t == NGINX_RR),
                          s.per_request, s.streams)
                 for s in SCENARIOS if not ONLY_SCENARIOS or s.name in ONLY_SCENARIOS]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------------- processes

class Processes:
    """Everything this run started, stopped (whole process groups) however the run ends."""

    def __init__(self, work):
        self.work = work
        self.started = {}
        self.started_at = {}
        self.ready_at = {}

    def start(self, name, args):
        self.started_at[name] = time.time()
        logfile = open(os.path.join(self.work, f"{name}.log"), "w")
        process = subprocess.Popen(args, stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        self.started[name] = process
        return process

    def stop_all(self):
        for process in self.started.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.time() + 20
        for process in self.started.values():
            try:
                process.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def pids(self, name):
        """The process and its children (nginx's workers)."""
        root = self.started[name].pid
        pids = [root]
        try:
            with open(f"/proc/{root}/task/{root}/children") as children:
                pids += [int(pid) for pid in children.read().split()]
        except OSError:
            pass
        return pids


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / CLOCK_TICKS


def rss_mib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def http_get(url, host=None, timeout=2.0):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


def wait_ready(name, url, processes, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if processes.started[name].poll() is not None:
            sys.exit(f"bench: {name} exited during start-up; see {processes.work}/{name}.log")
        try:
            if http_get(url)[0] == 200:
                processes.ready_at[name] = time.time()
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"bench: {name} not ready within {timeout}s; see {processes.work}/{name}.log")


def start_workers(processes):
    for port, name in WORKERS.items():
        args = [JAVA, "-jar", WORKER_JAR, f"--server.port={port}", f"--worker.instance-id={name}"]
        if port == SLOW_PORT:
            args += [f"--worker.faults.extra-latency={SLOW_MS}ms",
                     "--management.endpoints.web.exposure.include=health,info,faults"]
        processes.start(name, args)
    for port, name in WORKERS.items():
        wait_ready(name, f"http://127.0.0.1:{port}/actuator/health/readiness", processes)


def gateway_config(path):
    lines = ["spring:", "  cloud:", "    discovery:", "      client:", "        simple:", "          instances:"]
    services = [(pool, short, algorithm) for pool in POOLS for short, algorithm in ALGORITHMS]
    # The stock service of application.yml, pointed at the uniform pool so that its probes find workers.
    for service, ports in [("worker-service", POOLS["u"])] + [(f"{p}-{s}", POOLS[p]) for p, s, _ in services]:
        lines.append(f"            {service}:")
        lines += [f"              - uri: http://127.0.0.1:{port}" for port in ports]
    lines += ["    gateway:", "      server:", "        webflux:", "          routes:"]
    for pool, short, _ in services:
        lines += [f"            - id: {pool}-{short}", f"              uri: lb://{pool}-{short}",
                  f"              predicates: [ 'Host={pool}-{short}' ]"]
    lines += ["cluster:", "  balancer:", "    services:"]
    lines += [f"      {pool}-{short}: {{ algorithm: {algorithm} }}" for pool, short, algorithm in services]
    with open(path, "w") as config:
        config.write("\n".join(lines) + "\n")


def start_gateway(processes):
    config = os.path.join(processes.work, "gateway.yml")
    gateway_config(config)
    processes.start("gateway", [JAVA, *GATEWAY_JAVA_OPTS, "-jar", GATEWAY_JAR, f"--server.port={GATEWAY_PORT}",
                                f"--management.server.port={GATEWAY_MANAGEMENT_PORT}",
                                f"--spring.config.additional-location=file:{config}"])
    wait_ready("gateway", f"http://127.0.0.1:{GATEWAY_MANAGEMENT_PORT}/actuator/health/readiness", processes)


def stock_gateway_args(work):
    """Spring Cloud Gateway as shipped: round robin of Spring Cloud LoadBalancer over the same pools, by Host."""
    config = os.path.join(work, "stock.yml")
    lines = ["spring:", "  cloud:", "    discovery:", "      client:", "        simple:", "          instances:"]
    for pool in POOLS:
        lines.append(f"            {pool}-rr:")
        lines += [f"              - uri: http://127.0.0.1:{port}" for port in POOLS[pool]]
    lines += ["    gateway:", "      server:", "        webflux:", "          routes:"]
    for pool in POOLS:
        lines += [f"            - id: {pool}-rr", f"              uri: lb://{pool}-rr",
                  f"              predicates: [ 'Host={pool}-rr' ]"]
    with open(config, "w") as out:
        out.write("\n".join(lines) + "\n")
    return [JAVA, "-jar", STOCK_JAR, f"--server.port={STOCK_PORT}", f"--spring.config.additional-location=file:{config}"]


def start_stock_gateway(processes):
    processes.start("stock", stock_gateway_args(processes.work))
    deadline = time.time() + 180
    while True:
        try:
            if http_get(f"http://127.0.0.1:{STOCK_PORT}/api/v1/hello", host="u-rr")[0] == 200:
                processes.ready_at["stock"] = time.time()
                return
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit("bench: the stock gateway did not start")
        time.sleep(0.5)


def upstream_servers(pool, indent):
    return "\n".join(f"{indent}server 127.0.0.1:{port};" for port in POOLS[pool])


def start_nginx(processes):
    work = processes.work
    blocks = []
    for (kind, short), base in PEER_PORTS.items():
        if kind != "nginx":
            continue
        for pool in POOLS:
            offset = POOL_OFFSET[pool]
            name = f"{pool}_{short}"
            balance = "least_conn;" if short == "lc" else ""
            blocks.append(f"""
  upstream {name} {{
    {balance}
{upstream_servers(pool, "    ")}
    keepalive 64;
    keepalive_requests 1000000;
  }}
  server {{
    listen 127.0.0.1:{base + offset};
    keepalive_requests 1000000;
    location / {{
      proxy_pass http://{name};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
    location /api/v1/stream {{
      proxy_pass http://{name};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}""")
    start_nginx_with(processes, "".join(blocks))


def start_nginx_with(processes, blocks):
    """nginx, one worker process, with these upstream and server blocks."""
    work = processes.work
    config = os.path.join(work, "nginx.conf")
    with open(config, "w") as out:
        out.write(f"""daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
{blocks}
}}
""")
    processes.start("nginx", ["nginx", "-e", f"{work}/nginx-error.log", "-p", work, "-c", config])


HAPROXY_GLOBAL = """global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 70s
  timeout server 70s
"""


def start_haproxy(processes):
    sections = [HAPROXY_GLOBAL]
    for (kind, short), base in PEER_PORTS.items():
        if kind != "haproxy":
            continue
        for pool in POOLS:
            offset = POOL_OFFSET[pool]
            name = f"{pool}_{short}"
            servers = "\n".join(f"  server w{port} 127.0.0.1:{port}" for port in POOLS[pool])
            sections.append(f"""frontend {name}
  bind 127.0.0.1:{base + offset}
  default_backend {name}
backend {name}
  balance {"leastconn" if short == "lc" else "roundrobin"}
{servers}
""")
    start_haproxy_with(processes, "\n".join(sections))


def start_haproxy_with(processes, config_text):
    """HAProxy, one thread, with this configuration."""
    config = os.path.join(processes.work, "haproxy.cfg")
    with open(config, "w") as out:
        out.write(config_text)
    processes.start("haproxy", ["haproxy", "-db", "-f", config])


# ---------------------------------------------------------------------------------------------------- load

def wrk(target, scenario, seconds, connections=CONNECTIONS):
    url, host = target.endpoint(scenario.pool)
    env = dict(os.environ, BENCH_LUA=LUA)
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-H", f"Host: {host}",
            "-s", os.path.join(LUA, scenario.script), url + scenario.path]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=seconds + 30)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    sys.exit(f"bench: wrk gave no result for {target.name}: {result.stdout}{result.stderr}")


def hey(target, scenario, seconds, workers, rate=None, extra_args=()):
    """Every response's own latency (hey -o csv), in milliseconds, and the non-2xx/failed count."""
    url, host = target.endpoint(scenario.pool)
    args = ["hey", "-z", f"{seconds}s", "-c", str(workers), "-host", host, "-o", "csv", *extra_args]
    if rate:
        args += ["-q", f"{rate / workers:.3f}"]
    result = subprocess.run(args + [url + scenario.path], capture_output=True, text=True, timeout=seconds + 60)
    latencies, failures = [], 0
    for line in result.stdout.splitlines()[1:]:
        fields = line.split(",")
        if len(fields) < 7:
            continue
        latencies.append(float(fields[0]) * 1000)
        failures += not fields[6].startswith("2")
    if not latencies:
        sys.exit(f"bench: hey gave no result for {target.name}: {result.stderr[-500:]}")
    latencies.sort()
    return latencies, failures


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def served(ports):
    counts = {}
    for port in ports:
        info = json.loads(http_get(f"http://127.0.0.1:{port}/api/v1/instance")[1])
        counts[port] = (info["requestsServed"], info["requestsInFlight"])
    return counts


def warm90(series, window):
    """Seconds of load until the first window at 90 % of the plateau (the mean of the last three windows)."""
    plateau = sum(series[-3:]) / len(series[-3:])
    for i, rps in enumerate(series):
        if rps >= 0.9 * plateau:
            return round((i + 1) * window)
    return None


def warm_until_stable(target, scenario, window, minimum, cap):
    """wrk windows, for at least `minimum` seconds, until the last three agree within STABLE_WITHIN (a JIT that is
    still compiling shows as a slow climb, which two windows alone can miss); returns (seconds used, req/s series)."""
    series, started = [], time.time()
    while time.time() - started < cap:
        result = wrk(target, scenario, int(window))
        series.append(round(result["requests"] / result["duration_us"] * 1e6))
        log(f"  warm-up {target.name}: {series[-1]} req/s")
        last = series[-3:]
        if time.time() - started >= minimum and len(last) == 3 and max(last) - min(last) <= STABLE_WITHIN * max(last):
            break
    return round(time.time() - started), series


def measure(target, scenario, processes):
    wrk(target, scenario, max(1, int(TARGET_WARMUP)))
    pids = processes.pids(process_of(target))
    before_served = served(POOLS[scenario.pool])
    curls = []
    if scenario.streams:
        curls = start_streams(target, scenario)
    cpu_before = cpu_seconds(pids)
    perf = start_syscall_count(pids) if scenario.name == UNIFORM.name and target.kind != "direct" else None
    result = wrk(target, scenario, int(DURATION))
    cpu = cpu_seconds(pids) - cpu_before
    syscalls = finish_syscall_count(perf)
    after_served = served(POOLS[scenario.pool])
    row = {
        "rps": result["requests"] / result["duration_us"] * 1e6,
        "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000, "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000, "errors": result["errors"] + result["status_errors"],
        "requests": result["requests"], "cpu_s": cpu, "rss_mib": rss_mib(pids),
    }
    if syscalls is not None:
        row["syscalls_per_request"] = syscalls / max(1, result["requests"])
    if scenario.pool == "h":
        sent = {port: after_served[port][0] - before_served[port][0] - 1 for port in POOLS["h"]}
        row["slow_share_pct"] = 100 * sent[SLOW_PORT] / max(1, sum(sent.values()))
    if scenario.streams:
        # Only the streams are in flight now; the /instance request itself is one more.
        row["stream_spread"] = "/".join(str(after_served[port][1] - 1) for port in POOLS[scenario.pool])
        stop_streams(curls)
    return row


def start_syscall_count(pids, seconds=DURATION):
    """perf counting the proxy's system calls (every thread) while the load runs; None without perf."""
    if not shutil.which("perf"):
        return None
    return subprocess.Popen(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-p", ",".join(map(str, pids)),
                             "--", "sleep", str(int(seconds))], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def finish_syscall_count(perf):
    if perf is None:
        return None
    _, err = perf.communicate(timeout=300)
    for line in err.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and "raw_syscalls:sys_enter" in fields[2] and fields[0].strip().isdigit():
            return int(fields[0])
    return None


def process_of(target):
    return {"direct": "w1", "gateway": "gateway", "stock": "stock"}.get(target.kind, target.kind)


def start_streams(target, scenario):
    url, host = target.endpoint(scenario.pool)
    curls = []
    for _ in range(STREAMS):
        curls.append(subprocess.Popen(["curl", "-sN", "-H", f"Host: {host}",
                                       f"{url}/api/v1/stream?events=600&intervalMs=500"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.02)
    time.sleep(0.5)
    return curls


def stop_streams(curls):
    for curl in curls:
        curl.terminate()
    for curl in curls:
        curl.wait()
    time.sleep(0.5)  # let every proxy see the closes before the next target's streams


# ---------------------------------------------------------------------------------------------------- report

def best_round(rows):
    """The round with the most requests/s: the first round on a just-warmed machine often still meets JIT
    compilation in one of the JVMs, which only ever slows a run down. Errors count over all rounds."""
    best = dict(max(rows, key=lambda row: row["rps"]))
    best["errors"] = sum(row["errors"] for row in rows)
    best["cpu_us_per_request"] = 1e6 * best["cpu_s"] / max(1, best["requests"])
    return best


def versions():
    def first_line(args):
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=20)
            return (result.stdout + result.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "machine": f"{os.cpu_count()} cores, {cpu}, Linux {platform.release()}",
        "java": first_line([JAVA, "-version"]),
        "nginx": first_line(["nginx", "-v"]),
        "haproxy": first_line(["haproxy", "-v"]),
        "wrk": first_line(["wrk", "-v"]),
    }


def write_results(results, open_loop, warmups, facts, seconds, startup):
    os.makedirs(OUT, exist_ok=True)
    columns = ["scenario", "target", "rps", "ratio_to_nginx_rr", "ratio_to_stock", "p50_ms", "p90_ms", "p99_ms",
               "max_ms", "req_p50_ms", "req_p90_ms", "req_p99_ms", "req_max_ms", "errors", "cpu_s_per_10k",
               "cpu_ratio_to_nginx_rr", "cpu_ratio_to_stock", "syscalls_per_request", "rss_mib", "slow_share_pct",
               "stream_spread"]
    rows = []
    for scenario in SCENARIOS:
        reference = results[(scenario.name, NGINX_RR.name)]
        stock = results.get((scenario.name, STOCK_SCG.name))
        for target in scenario.targets:
            r = results[(scenario.name, target.name)]
            proxy = target.kind != "direct"
            rows.append({
                "scenario": scenario.name, "target": target.name, "rps": round(r["rps"]),
                "ratio_to_nginx_rr": round(r["rps"] / reference["rps"], 2),
                "ratio_to_stock": round(r["rps"] / stock["rps"], 2) if stock else "",
                "cpu_ratio_to_stock": round(r["cpu_us_per_request"] / stock["cpu_us_per_request"], 2)
                if stock and proxy else "",
                "syscalls_per_request": round(r["syscalls_per_request"], 1) if "syscalls_per_request" in r else "",
                **{k: round(r[k], 2) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
                **{k: round(r[k], 2) if k in r else "" for k in ("req_p50_ms", "req_p90_ms", "req_p99_ms",
                                                                 "req_max_ms")},
                "errors": r["errors"],
                "cpu_s_per_10k": round(r["cpu_us_per_request"] / 100, 2) if proxy else "",
                "cpu_ratio_to_nginx_rr": round(r["cpu_us_per_request"] / reference["cpu_us_per_request"], 2)
                if proxy else "",
                "rss_mib": round(r["rss_mib"]) if proxy else "",
                "slow_share_pct": round(r["slow_share_pct"], 2) if "slow_share_pct" in r else "",
                "stream_spread": r.get("stream_spread", ""),
            })
    with open(os.path.join(OUT, "results.csv"), "w", newline="") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(rows)
        for row in open_loop:
            writer.writerow({"scenario": f"open-loop uniform @{row['rate']}/s", "target": row["target"],
                             "rps": row["rps"], "req_p50_ms": row["p50"], "req_p90_ms": row["p90"],
                             "req_p99_ms": row["p99"], "req_max_ms": row["max"], "errors": row["errors"]})
    write_markdown(rows, open_loop, warmups, facts, seconds, startup)
    write_chart(rows)


def write_markdown(rows, open_loop, warmups, facts, seconds, startup):
    lines = ["# clusterkit benchmark", "",
             f"{time.strftime('%Y-%m-%d')}, {facts['machine']}; {facts['java']}; {facts['nginx']}; "
             f"{facts['haproxy']}; {facts['wrk']}.", "",
             f"wrk -t1 -c{CONNECTIONS}, {DURATION:g} s per run after a {TARGET_WARMUP:g} s warm-up of the target, "
             f"{ROUNDS} interleaved rounds (the order reversed every other round), the best round shown. nginx: 1 worker process, upstream keepalive; "
             "HAProxy: 1 thread, http-reuse always; all on loopback, sharing the 2 cores with the client and the "
             f"workers. Heterogeneous: worker w4 answers {SLOW_MS} ms late. Whole run: {seconds} s.", "",
             "JVM warm-up before measuring (wrk windows until three in a row agree within 5 %): " +
             "; ".join(f"{name} {used} s ({' → '.join(map(str, series))} req/s)"
                       for name, (used, series) in warmups.items()) + ".", "",
             "Start-up and warm-up: " + "; ".join(
                 f"{name} ready {startup.get(name, '?')} s after its process started, at 90 % of its plateau after "
                 f"{warm90(series, JVM_WARMUP_WINDOW)} s of load" for name, (_, series) in warmups.items()
                 if name in startup) + ".", "",
             "p50–max: wrk's histogram, **corrected for coordinated omission** (wrk 4.1 `stats_correct()`). "
             "req p50–max: **per request**, every response's own latency as measured by hey -c"
             f"{CONNECTIONS} (heterogeneous), or at a fixed offered rate (open loop). CPU: the proxy process's "
             "user+system seconds per 10,000 requests (/proc); ×nginx: ratio to nginx round robin in the same run.",
             ""]
    for scenario in SCENARIOS:
        scenario_rows = [row for row in rows if row["scenario"] == scenario.name]
        extra = []
        if scenario.per_request:
            extra = [("req p50 ms", "req_p50_ms"), ("req p99 ms", "req_p99_ms"), ("req max ms", "req_max_ms"),
                     ("to slow %", "slow_share_pct")]
        if scenario.streams:
            extra = [("streams per worker", "stream_spread")]
        if scenario.name == UNIFORM.name:
            extra = [("syscalls/req", "syscalls_per_request")]
        stock = [("×stock", "ratio_to_stock")] if STOCK_TARGETS and STOCK_SCG in scenario.targets else []
        cpu_stock = [("CPU ×stock", "cpu_ratio_to_stock")] if stock else []
        headers = [("target", "target"), ("req/s", "rps"), ("×nginx", "ratio_to_nginx_rr"), *stock,
                   ("p50 ms", "p50_ms"), ("p90 ms", "p90_ms"), ("p99 ms", "p99_ms"), ("max ms", "max_ms"), *extra,
                   ("errors", "errors"), ("CPU s/10k", "cpu_s_per_10k"), ("CPU ×nginx", "cpu_ratio_to_nginx_rr"),
                   *cpu_stock, ("RSS MiB", "rss_mib")]
        lines += [f"## {scenario.name}", "", "| " + " | ".join(h for h, _ in headers) + " |",
                  "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(str(row[key]) for _, key in headers) + " |" for row in scenario_rows]
        lines.append("")
    if open_loop:
        lines += [f"## open loop, uniform, {open_loop[0]['rate']} req/s offered (half of nginx rr's maximum)", "",
                  f"hey -c{OPEN_LOOP_WORKERS} -q, {OPEN_LOOP_SECONDS:g} s; per-request latency.", "",
                  "| target | req/s | req p50 ms | req p90 ms | req p99 ms | req max ms | errors |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['target']} | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} | {r['max']} | {r['errors']} |"
                  for r in open_loop]
        lines.append("")
    with open(os.path.join(OUT, "results.md"), "w") as out:
        out.write("\n".join(lines))


def write_chart(rows):
    if not shutil.which("gnuplot"):
        log("gnuplot not found: no chart")
        return
    data = os.path.join(OUT, "chart.dat")
    uniform = [r for r in rows if r["scenario"] == "uniform"]
    if not uniform:
        return
    hetero = {r["target"]: r for r in rows if r["scenario"] == "heterogeneous"}
    if not hetero:
        # a run limited to other scenarios (BENCH_SCENARIOS): nothing for the latency half
        return
    with open(data, "w") as out:
        out.write("# target uniform_rps hetero_rps hetero_req_p50 hetero_req_p99\n")
        for r in uniform:
            h = hetero.get(r["target"], {})
            out.write(f"\"{r['target']}\" {r['rps']} {h.get('rps', '-') or '-'} {h.get('req_p50_ms', '-') or '-'} "
                      f"{h.get('req_p99_ms', '-') or '-'}\n")
    script = f"""
set terminal pngcairo size 1400,900 font 'sans,10'
set output '{os.path.join(OUT, 'results.png')}'
set datafile missing '-'
set multiplot layout 2,1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -30 scale 0
set grid ytics
set key top right
set title 'Throughput per target (wrk -t1 -c{CONNECTIONS}, req/s, higher is better)'
set ylabel 'req/s'
plot '{data}' using 2:xtic(1) title 'uniform', '' using 3 title 'heterogeneous (one worker +{SLOW_MS} ms)'
set title 'Heterogeneous: per-request latency (hey -c{CONNECTIONS}, ms, log scale, lower is better)'
set ylabel 'ms'
set logscale y
set yrange [0.5:*]
plot '{data}' using 4:xtic(1) title 'p50', '' using 5 title 'p99'
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.remove(data)


# ---------------------------------------------------------------------------------------------------- main

def median(rows, key):
    """The median of one figure over the rounds' rows, leaving out the rounds that could not measure it."""
    values = [row[key] for row in rows if row[key] is not None]
    return statistics.median(values) if values else None


def every_round(runs):
    """The line under a table of medians: each target's CPU per request in every round."""
    return "Every round (µs CPU/req): " + "; ".join(
        f"{name} " + " / ".join(f"{row['us_per_request']:.0f}" for row in rows) for name, rows in runs.items())


def publish(filename, lines):
    """Write a report into the results directory, and show it."""
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, filename), "w") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def per_request(results):
    """hey's per-request percentiles for the heterogeneous scenario, added to its wrk results."""
    for scenario in (s for s in SCENARIOS if s.per_request):
        log(f"per-request latency, {scenario.name} (hey -c{CONNECTIONS})")
        for target in scenario.targets:
            latencies, failures = hey(target, scenario, max(1, int(DURATION) - 1), CONNECTIONS)
            result = results[(scenario.name, target.name)]
            result.update({f"req_p{p}_ms": percentile(latencies, p) for p in (50, 90, 99)})
            result.update(req_max_ms=latencies[-1], errors=result["errors"] + failures)


def open_loop_runs(results):
    """Uniform requests offered at a fixed rate, half of nginx round robin's maximum, to every proxy."""
    if (UNIFORM.name, NGINX_RR.name) not in results or OPEN_LOOP_SECONDS <= 0:
        return []
    rate = int(results[(UNIFORM.name, NGINX_RR.name)]["rps"] / 2)
    log(f"open loop, uniform, {rate} req/s offered")
    rows = []
    for target in (t for t in (*CORE_GATEWAYS, *PEERS) if (UNIFORM.name, t.name) in results):
        latencies, failures = hey(target, UNIFORM, int(OPEN_LOOP_SECONDS), OPEN_LOOP_WORKERS, rate)
        rows.append({"target": target.name, "rate": rate, "rps": round(len(latencies) / OPEN_LOOP_SECONDS),
                     **{f"p{p}": round(percentile(latencies, p), 2) for p in (50, 90, 99)},
                     "max": round(latencies[-1], 2), "errors": failures})
    return rows


def set_faults(**faults):
    """Change the slow worker's injected faults at run time (its /actuator/faults endpoint)."""
    request = urllib.request.Request(f"http://127.0.0.1:{SLOW_PORT}/actuator/faults", method="POST",
                                     data=json.dumps(faults).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def hey_rows(target, scenario, seconds, rate):
    """hey at a fixed rate: every response as (offset s from the start, latency ms, ok)."""
    url, host = target.endpoint(scenario.pool)
    args = ["hey", "-z", f"{seconds}s", "-c", str(OUTLIER_WORKERS), "-q", f"{rate / OUTLIER_WORKERS:.3f}",
            "-host", host, "-o", "csv", url + scenario.path]
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    rows = []
    for line in result.stdout.splitlines()[1:]:
        fields = line.split(",")
        if len(fields) >= 8:
            rows.append((float(fields[7]), float(fields[0]) * 1000, fields[6].startswith("2")))
    if not rows:
        sys.exit(f"bench: hey gave no result for {target.name}: {result.stderr[-500:]}")
    return rows


def latency_row(target, scenario_name, latencies, failures, seconds, slow_share):
    latencies = sorted(latencies)
    return {"scenario": scenario_name, "target": target.name, "offered": OUTLIER_RATE,
            "rps": round(len(latencies) / seconds),
            **{f"p{p}": round(percentile(latencies, p), 2) for p in (50, 90, 99, 99.9)},
            "max": round(latencies[-1], 2), "slow_share_pct": round(slow_share, 2), "errors": failures}


def settled_runs(scenario_name, pool):
    """(a) and (b): each target settles, then is measured; per-request percentiles and the slow worker's share."""
    scenario = Scenario(scenario_name, pool, "/api/v1/hello", "report.lua", ())
    rows = []
    for target in OUTLIER_TARGETS:
        log(f"{scenario_name}: {target.name}, {OUTLIER_RATE} req/s, settling {OUTLIER_SETTLE:g} s")
        hey(target, scenario, int(OUTLIER_SETTLE), OUTLIER_WORKERS, OUTLIER_RATE)
        before = served(POOLS[pool])
        latencies, failures = hey(target, scenario, int(OUTLIER_SECONDS), OUTLIER_WORKERS, OUTLIER_RATE)
        after = served(POOLS[pool])
        sent = {port: after[port][0] - before[port][0] - 1 for port in POOLS[pool]}
        row = latency_row(target, scenario_name, latencies, failures, OUTLIER_SECONDS,
                          100 * sent[SLOW_PORT] / max(1, sum(sent.values())))
        log(f"  {row}")
        rows.append(row)
    return rows


def degrading_runs():
    """(c): w4 degrades from 0 to +DEGRADE_PEAK_MS over DEGRADE_SECONDS, then recovers at once; the load runs
    throughout. Shares come from the workers' served counts, sampled every second."""
    scenario = Scenario("degrading", "d", "/api/v1/hello", "report.lua", ())
    total = DEGRADE_BEFORE + DEGRADE_SECONDS + DEGRADE_AFTER
    rows = []
    for target in OUTLIER_TARGETS:
        log(f"degrading: {target.name}, {OUTLIER_RATE} req/s, {total} s")
        set_faults(extraLatency="0ms", extraLatencyRate=1.0)
        load = {}
        loader = threading.Thread(target=lambda: load.update(rows=hey_rows(target, scenario, total, OUTLIER_RATE)))
        started = time.time()
        loader.start()
        samples = []  # (seconds since start, {port: served})
        while loader.is_alive():
            elapsed = time.time() - started
            if DEGRADE_BEFORE <= elapsed < DEGRADE_BEFORE + DEGRADE_SECONDS:
                set_faults(extraLatency=f"{round(DEGRADE_PEAK_MS * (elapsed - DEGRADE_BEFORE) / DEGRADE_SECONDS)}ms")
            elif elapsed >= DEGRADE_BEFORE + DEGRADE_SECONDS:
                set_faults(extraLatency="0ms")
            samples.append((elapsed, {port: count for port, (count, _) in served(POOLS["d"]).items()}))
            time.sleep(max(0.0, 1 - (time.time() - started - elapsed)))
        loader.join()
        recovered_at = DEGRADE_BEFORE + DEGRADE_SECONDS
        row = latency_row(target, "degrading", [latency for _, latency, _ in load["rows"]],
                          sum(1 for *_, ok in load["rows"] if not ok), total,
                          slow_share_between(samples, DEGRADE_BEFORE, recovered_at))
        row["recovery_s"] = recovery_seconds(samples, recovered_at)
        log(f"  {row}")
        rows.append(row)
    set_faults(extraLatency=f"{SLOW_MS}ms", extraLatencyRate=1.0)
    return rows


def slow_share_between(samples, start, end):
    inside = [counts for elapsed, counts in samples if start <= elapsed <= end]
    if len(inside) < 2:
        return float("nan")
    sent = {port: inside[-1][port] - inside[0][port] for port in inside[0]}
    return 100 * sent[SLOW_PORT] / max(1, sum(sent.values()))


def recovery_seconds(samples, recovered_at):
    """Seconds from w4's recovery to the first RECOVERY_WINDOW in which it served RECOVERY_FRACTION of a fair share;
    None when it never did before the run ended."""
    for i, (elapsed, counts) in enumerate(samples):
        if elapsed < recovered_at:
            continue
        later = [(t, c) for t, c in samples[i:] if t - elapsed >= RECOVERY_WINDOW]
        if not later:
            return None
        sent = {port: later[0][1][port] - counts[port] for port in counts}
        if sent[SLOW_PORT] >= RECOVERY_FRACTION * sum(sent.values()) / len(sent):
            return round(elapsed - recovered_at)
    return None


def write_outliers(rows, warmup, facts, seconds):
    os.makedirs(OUT, exist_ok=True)
    about = "; ".join(f"{name} {value}" for name, value in facts.items())
    lines = ["# A bad worker at a fixed offered rate (bench/run with BENCH_OUTLIERS=1)", "",
             f"{about}; {seconds} s in all; gateway warmed {warmup[0]} s. Pool: w1, w2 and w4; {OUTLIER_RATE} req/s "
             f"offered to each target (hey -q, {OUTLIER_WORKERS} workers at rate/{OUTLIER_WORKERS} each: a response "
             f"delays its worker's next request only when slower than {1000 * OUTLIER_WORKERS // OUTLIER_RATE} ms, "
             f"so coordinated omission touches only answers slower than that). Per-request latency of every "
             f"response; share = requests w4 served, counted on the workers. The gateway runs with its defaults: "
             f"latency outlier detection on (10 s windows of medians, 3 x peers', 20 ms floor, 15 s ejections, "
             f"probation after readmission). nginx and HAProxy eject nobody for latency.", "",
             f"- **steady**: w4 answers every request {SLOW_MS} ms late; {OUTLIER_SETTLE:g} s to settle, then "
             f"{OUTLIER_SECONDS:g} s measured.",
             f"- **gc**: w4 answers 10 % of requests 200 ms late (a GC-pause pattern); same timing.",
             f"- **degrading**: w4 fast for {DEGRADE_BEFORE} s, then from 0 to +{DEGRADE_PEAK_MS} ms over "
             f"{DEGRADE_SECONDS} s, then fast again for {DEGRADE_AFTER} s; latencies over the whole run, share over "
             f"the degradation; recovery = seconds from w4's recovery to the first {RECOVERY_WINDOW} s in which it "
             f"served {RECOVERY_FRACTION:.0%} of a fair third.", "",
             "| scenario | target | served req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | share to w4 | "
             "recovery s | errors |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        recovery = r.get("recovery_s", "")
        recovery = f"> {DEGRADE_AFTER - RECOVERY_WINDOW}" if "recovery_s" in r and recovery is None else recovery
        lines.append(f"| {r['scenario']} | {r['target']} | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} | "
                     f"{r['p99.9']} | {r['max']} | {r['slow_share_pct']} % | {recovery} | {r['errors']} |")
    with open(os.path.join(OUT, "outliers.md"), "w") as out:
        out.write("\n".join(lines) + "\n")


def begin(name, jars, hint="run bench/run once, or build it"):
    """How every bench script starts: the jars it runs are there, its processes log into a new directory, and
    SIGTERM becomes an exit, so that the script's finally stops them. Returns the directory and the processes."""
    for jar in jars:
        if not os.path.exists(jar):
            sys.exit(f"{name}: {jar} is missing; {hint}")
    work = tempfile.mkdtemp(prefix=f"clusterkit-{name}-")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"{name}: terminated"))
    return work, Processes(work)


def main():
    work, processes = begin("bench", (WORKER_JAR, GATEWAY_JAR, *((STOCK_JAR,) if STOCK else ())),
                            "run bench/run, or ./mvnw -DskipTests package")
    started = time.time()
    try:
        log(f"starting 4 workers, the gateway, nginx and HAProxy (logs in {work})")
        start_workers(processes)
        start_gateway(processes)
        if STOCK:
            start_stock_gateway(processes)
        start_nginx(processes)
        start_haproxy(processes)
        time.sleep(3)  # the gateway's health checks see every pool UP
        for url in (NGINX_RR.endpoint("u")[0], PEERS[2].endpoint("u")[0]):
            http_get(url + "/api/v1/hello")

        warmups = {}
        log(f"warming the gateway and workers until stable (at most {JVM_WARMUP_MAX:g} s)")
        warmups["gateway"] = warm_until_stable(GATEWAYS[0], UNIFORM, JVM_WARMUP_WINDOW, JVM_WARMUP_MIN, JVM_WARMUP_MAX)
        if OUTLIERS:
            rows = settled_runs("steady", "h")
            set_faults(extraLatency="200ms", extraLatencyRate=0.1)
            rows += settled_runs("gc", "g")
            rows += degrading_runs()
            seconds = round(time.time() - started)
            write_outliers(rows, warmups["gateway"], versions(), seconds)
            log(f"done in {seconds} s: {OUT}/outliers.md")
            return
        wrk(GATEWAYS[0], HETERO, 3)
        if STOCK:
            warmups["stock scg"] = warm_until_stable(STOCK_SCG, UNIFORM, JVM_WARMUP_WINDOW, JVM_WARMUP_MIN,
                                                     JVM_WARMUP_MAX)
        # The workers served all of the gateway's warm-up: theirs only needs checking.
        warmups["direct w1"] = warm_until_stable(DIRECT, UNIFORM, JVM_WARMUP_WINDOW / 2, 0, JVM_WARMUP_WINDOW * 2)

        runs = {}
        for round_number in range(1, ROUNDS + 1):
            for scenario in SCENARIOS:
                order = scenario.targets if round_number % 2 else tuple(reversed(scenario.targets))
                for target in order:
                    row = measure(target, scenario, processes)
                    runs.setdefault((scenario.name, target.name), []).append(row)
                    log(f"round {round_number} {scenario.name:13} {target.name:13} {row['rps']:8.0f} req/s  "
                        f"p99 {row['p99_ms']:7.2f} ms  cpu {1e6 * row['cpu_s'] / max(1, row['requests']):6.1f} "
                        f"µs/req  errors {row['errors']}")
        results = {key: best_round(rows) for key, rows in runs.items()}
        per_request(results)
        open_loop = open_loop_runs(results)

        seconds = round(time.time() - started)
        startup = {name: round(processes.ready_at[process] - processes.started_at[process], 1)
                   for name, process in (("gateway", "gateway"), ("stock scg", "stock"))
                   if process in processes.ready_at}
        write_results(results, open_loop, warmups, versions(), seconds, startup)
        for scenario in SCENARIOS:
            reference = results[(scenario.name, NGINX_RR.name)]
            print(f"\n{scenario.name}: ratio to nginx rr (req/s, CPU per request)")
            for target in scenario.targets:
                r = results[(scenario.name, target.name)]
                print(f"  {target.name:13} {r['rps'] / reference['rps']:5.2f}×  "
                      f"{r['cpu_us_per_request'] / reference['cpu_us_per_request']:5.2f}×")
        log(f"done in {seconds} s: {OUT}/results.md, results.csv, results.png")
        shutil.rmtree(work, ignore_errors=True)
    finally:
        processes.stop_all()


if __name__ == "__main__":
    main()
