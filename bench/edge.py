#!/usr/bin/env python3
"""What HTTP/2 to clients costs and saves against HTTP/1.1, over TLS, for our gateway beside the stock Spring Cloud
Gateway, nginx and HAProxy, all in one run in front of the same workers, at a fixed offered rate every target carries.

    bench/edge.py

Each proxy terminates TLS (1.3, the certificate docker/self-signed-certificate makes) and offers h2 and http/1.1 by
ALPN on one port: ours with its tls profile, the stock gateway with server.ssl and server.http2.enabled, nginx with
`listen ... ssl http2`, HAProxy with `alpn h2,http/1.1`. Requests go on to the workers over HTTP/1.1 keep-alive.
hey offers the load: HTTP/1.1 over BENCH_EDGE_WORKERS connections, or HTTP/2 (-h2), where Go multiplexes the same
workers' requests as streams on one connection, as a browser would. The JVMs are warmed over HTTP/1.1 (wrk, until three
10 s windows agree within 5 %) and then over HTTP/2 (hey, BENCH_EDGE_H2_WARMUP s); then each target carries
BENCH_COST_RATE req/s for BENCH_DURATION s in BENCH_ROUNDS interleaved rounds. Per target, the median over rounds of
the proxy's CPU time (user + system, from /proc) per request and of hey's per-request p50 and p99; the proxy's TCP
connections from clients are what HTTP/2 saves. Writes bench/results/edge.md.
"""
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

RATE = int(bench.env_number("BENCH_COST_RATE", 800))
SECONDS = int(bench.env_number("BENCH_DURATION", 20))
ROUNDS = int(bench.env_number("BENCH_ROUNDS", 3))
WORKERS = int(bench.env_number("BENCH_EDGE_WORKERS", 32))
H2_WARMUP = int(bench.env_number("BENCH_EDGE_H2_WARMUP", 60))
GATEWAY_PORT, GATEWAY_MANAGEMENT_PORT, STOCK_PORT, NGINX_PORT, HAPROXY_PORT = 18443, 18444, 18453, 18463, 18473


class Target:
    """One proxy over TLS, spoken to in one protocol."""

    def __init__(self, name, process, port, host, h2):
        self.name, self.process, self.port, self.host, self.h2 = name, process, port, host, h2

    def endpoint(self, pool):
        return f"https://127.0.0.1:{self.port}", self.host


PROXIES = [("gateway", GATEWAY_PORT, "u-lc"), ("stock scg", STOCK_PORT, "u-rr"), ("nginx", NGINX_PORT, "127.0.0.1"),
           ("haproxy", HAPROXY_PORT, "127.0.0.1")]
TARGETS = [Target(f"{name} {'h2' if h2 else 'h1.1'}", name.split()[0], port, host, h2)
           for name, port, host in PROXIES for h2 in (False, True)]


def certificate(work):
    directory = os.path.join(work, "tls")
    subprocess.run(["bash", os.path.join(bench.ROOT, "docker", "self-signed-certificate"), directory], check=True,
                   capture_output=True)
    crt, key = os.path.join(directory, "tls.crt"), os.path.join(directory, "tls.key")
    with open(os.path.join(directory, "both.pem"), "w") as both:
        both.write(open(crt).read() + open(key).read())
    return crt, key, os.path.join(directory, "both.pem")


def wait_https(name, url, host, processes, timeout=180):
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    deadline = time.time() + timeout
    while time.time() < deadline:
        if processes.started[name].poll() is not None:
            sys.exit(f"edge: {name} exited during start-up; see {processes.work}/{name}.log")
        try:
            request = urllib.request.Request(url, headers={"Host": host})
            with urllib.request.urlopen(request, timeout=2, context=unverified) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"edge: {name} not ready within {timeout}s; see {processes.work}/{name}.log")


def start_proxies(processes, crt, key, both):
    work = processes.work
    config = os.path.join(work, "gateway.yml")
    bench.gateway_config(config)
    processes.start("gateway", [bench.JAVA, "-jar", bench.GATEWAY_JAR, f"--server.port={GATEWAY_PORT}",
                                f"--management.server.port={GATEWAY_MANAGEMENT_PORT}", "--spring.profiles.active=tls",
                                f"--TLS_CERTIFICATE=file:{crt}", f"--TLS_PRIVATE_KEY=file:{key}",
                                f"--spring.config.additional-location=file:{config}"])
    stock = bench.stock_gateway_args(work)
    stock = [arg for arg in stock if not arg.startswith("--server.port=")]
    processes.start("stock", [*stock, f"--server.port={STOCK_PORT}", f"--server.ssl.certificate=file:{crt}",
                              f"--server.ssl.certificate-private-key=file:{key}", "--server.http2.enabled=true"])
    upstream = bench.upstream_servers("u", "    ")
    bench.start_nginx_with(processes, f"""
  upstream u_rr {{
{upstream}
    keepalive 64;
    keepalive_requests 1000000;
  }}
  server {{
    listen 127.0.0.1:{NGINX_PORT} ssl http2;
    ssl_certificate {crt};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / {{
      proxy_pass http://u_rr;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}""")
    servers = "\n".join(f"  server w{port} 127.0.0.1:{port}" for port in bench.POOLS["u"])
    bench.start_haproxy_with(processes, bench.HAPROXY_GLOBAL + f"""frontend edge
  bind 127.0.0.1:{HAPROXY_PORT} ssl crt {both} alpn h2,http/1.1
  default_backend u_rr
backend u_rr
  balance roundrobin
{servers}
""")
    bench.wait_ready("gateway", f"http://127.0.0.1:{GATEWAY_MANAGEMENT_PORT}/actuator/health/readiness", processes)
    for name, port, host in PROXIES:
        wait_https(name.split()[0], f"https://127.0.0.1:{port}/api/v1/hello", host, processes)


def client_connections(port):
    """Established TCP connections to the proxy's public port (ss, from the proxy's side)."""
    result = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"], capture_output=True,
                            text=True)
    return len(result.stdout.splitlines())


def measure(target, pids):
    connections, done = [], threading.Event()

    def sample():
        while not done.wait(1):
            connections.append(client_connections(target.port))

    sampler = threading.Thread(target=sample, daemon=True)
    cpu_before = bench.cpu_seconds(pids)
    sampler.start()
    latencies, failures = bench.hey(target, bench.UNIFORM, SECONDS, WORKERS, RATE,
                                    extra_args=["-h2"] if target.h2 else [])
    cpu = bench.cpu_seconds(pids) - cpu_before
    done.set()
    sampler.join()
    requests = len(latencies)
    return {"us_per_request": 1e6 * cpu / max(1, requests), "rps": requests / SECONDS,
            "p50_ms": bench.percentile(latencies, 50), "p99_ms": bench.percentile(latencies, 99),
            "errors": failures, "connections": max(connections, default=0)}


def main():
    work, processes = bench.begin("edge", (bench.WORKER_JAR, bench.STOCK_JAR, bench.GATEWAY_JAR))
    started = time.time()
    try:
        bench.log(f"starting the workers, our gateway, the stock gateway, nginx and HAProxy over TLS ({work})")
        crt, key, both = certificate(work)
        bench.start_workers(processes)
        start_proxies(processes, crt, key, both)
        pids = {target.name: processes.pids(target.process) for target in TARGETS}
        warmups = {}
        for target in TARGETS:
            if target.process not in ("gateway", "stock"):
                continue
            if not target.h2:
                bench.log(f"warming {target.name} until stable (at most {bench.JVM_WARMUP_MAX:g} s)")
                warmups[target.name] = bench.warm_until_stable(target, bench.UNIFORM, bench.JVM_WARMUP_WINDOW,
                                                               bench.JVM_WARMUP_MIN, bench.JVM_WARMUP_MAX)[0]
            else:
                bench.log(f"warming {target.name} for {H2_WARMUP} s")
                bench.hey(target, bench.UNIFORM, H2_WARMUP, WORKERS, extra_args=["-h2"])
                warmups[target.name] = H2_WARMUP
        runs = {target.name: [] for target in TARGETS}
        for round_number in range(1, ROUNDS + 1):
            order = TARGETS if round_number % 2 else list(reversed(TARGETS))
            for target in order:
                row = measure(target, pids[target.name])
                runs[target.name].append(row)
                bench.log(f"round {round_number} {target.name:14} {row['rps']:6.0f} req/s "
                          f"{row['us_per_request']:6.1f} µs/req  p99 {row['p99_ms']:6.1f} ms  "
                          f"{row['connections']} connections  errors {row['errors']}")
        write(runs, warmups, round(time.time() - started))
    finally:
        processes.stop_all()
    shutil.rmtree(work, ignore_errors=True)


def write(runs, warmups, seconds):
    facts = bench.versions()
    nginx = bench.median(runs["nginx h1.1"], "us_per_request")
    lines = [f"# HTTP/2 against HTTP/1.1 over TLS at {RATE} req/s: {time.strftime('%Y-%m-%d')}, {facts['machine']}",
             "",
             f"`bench/edge.py`: every target carries {RATE} req/s (hey, {WORKERS} workers: {WORKERS} connections "
             f"over HTTP/1.1, streams on one connection over HTTP/2) for {SECONDS} s in each of {ROUNDS} interleaved "
             f"rounds, after warm-up; medians over the rounds. TLS 1.3 on every proxy; upstream HTTP/1.1 keep-alive. "
             f"CPU is the proxy's user + system time (all processes for nginx). {facts['java']}; {facts['nginx']}; "
             f"{facts['haproxy']}. Run took {seconds} s. Warm-up (s of load): "
             + ", ".join(f"{name} {used}" for name, used in warmups.items()) + ".",
             "",
             "| target | µs CPU/req | h2 ÷ h1.1 | ×nginx h1.1 | p50 ms | p99 ms | client connections | errors |",
             "|---|---|---|---|---|---|---|---|"]
    for name, rows in runs.items():
        cost = bench.median(rows, "us_per_request")
        h1 = bench.median(runs[name.replace(" h2", " h1.1")], "us_per_request")
        lines.append(f"| {name} | {cost:.0f} | {cost / h1:.2f} | {cost / nginx:.1f} | {bench.median(rows, 'p50_ms'):.1f} | "
                     f"{bench.median(rows, 'p99_ms'):.1f} | {max(row['connections'] for row in rows)} | "
                     f"{sum(row['errors'] for row in rows)} |")
    lines += ["", bench.every_round(runs)]
    bench.publish("edge.md", lines)


if __name__ == "__main__":
    main()
