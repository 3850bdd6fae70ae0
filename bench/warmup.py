#!/usr/bin/env python3
"""How soon after its start a gateway serves at its plateau: Java 17, Java 25, and Java 25 with an AOT cache
(JEP 483/514/515: the classes loaded and linked, and the method profiles, of a training run), beside the stock
Spring Cloud Gateway on Java 17. Each runtime starts a fresh gateway in front of the same warm workers and takes
closed-loop load (wrk, BENCH_CONNECTIONS) from the moment it is ready, in 5 s windows, for BENCH_WARMUP_SECONDS.

    bench/warmup.py        writes bench/results/warmup.md (about 15 minutes on 2 cores)

JAVA25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64) names the Java 25 runtime; JAVA_HOME, or java on the path,
the Java 17 one. The gateway runs from its extracted jar (java -Djarmode=tools extract), as the images run it and as
an AOT cache needs: classes inside a nested jar cannot be cached.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

JAVA25 = os.path.join(os.environ.get("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
SECONDS = int(bench.env_number("BENCH_WARMUP_SECONDS", 180))
TRAINING_SECONDS = int(bench.env_number("BENCH_TRAINING_SECONDS", 60))
WINDOW = 5
PLATEAU_WINDOWS = 12
GATEWAY = bench.Target("gateway lc", "gateway", "lc")


def extract(jar, destination):
    subprocess.run([bench.JAVA, "-Djarmode=tools", "-jar", jar, "extract", "--destination", destination],
                   check=True, capture_output=True)
    return os.path.join(destination, os.path.basename(jar))


def gateway_args(java, jar, config, options=()):
    return [java, *options, "-jar", jar, f"--server.port={bench.GATEWAY_PORT}",
            f"--management.server.port={bench.GATEWAY_MANAGEMENT_PORT}",
            f"--spring.config.additional-location=file:{config}"]


def stop(processes, name):
    process = processes.started.pop(name)
    os.killpg(process.pid, 15)
    process.wait(60)


def wait_ready(processes, name, target):
    """Until the first proxied 200, polled every 50 ms: start-up is part of what is measured."""
    url, host = target.endpoint(bench.UNIFORM.pool)
    deadline = time.time() + 180
    while time.time() < deadline:
        if processes.started[name].poll() is not None:
            sys.exit(f"warmup: {name} exited during start-up; see {processes.work}/{name}.log")
        try:
            if bench.http_get(url + bench.UNIFORM.path, host=host, timeout=1)[0] == 200:
                return time.time()
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"warmup: {name} not ready; see {processes.work}/{name}.log")


def series(processes, name, args, target):
    """Start, wait until ready, load in windows; (seconds to ready, [(seconds since start, req/s)], RSS MiB)."""
    processes.start(name, args)
    started = processes.started_at[name]
    ready = wait_ready(processes, name, target) - started
    windows = []
    while time.time() - started - ready < SECONDS:
        result = bench.wrk(target, bench.UNIFORM, WINDOW)
        windows.append((round(time.time() - started, 1), round(result["requests"] / result["duration_us"] * 1e6)))
    rss = bench.rss_mib(processes.pids(name))
    stop(processes, name)
    bench.log(f"  {name}: ready in {ready:.1f} s, " + " ".join(str(rps) for _, rps in windows))
    return ready, windows, rss


def plateau_of(windows):
    """The mean of the last minute's windows."""
    last = [rps for _, rps in windows[-PLATEAU_WINDOWS:]]
    return sum(last) / len(last)


def warm_at(windows, plateau):
    """Seconds since start at the end of the first three windows whose mean is 90 % of the plateau: single windows
    move by ±15 % on this machine, so one of them says little."""
    for i in range(2, len(windows)):
        if sum(rps for _, rps in windows[i - 2:i + 1]) / 3 >= 0.9 * plateau:
            return windows[i][0]
    return None


def rate_at(windows, seconds):
    return next((rps for at, rps in windows if at >= seconds), None)


def main():
    work, processes = bench.begin("warmup", (bench.WORKER_JAR, bench.GATEWAY_JAR, bench.STOCK_JAR))
    started = time.time()
    try:
        bench.log(f"extracting the gateway jar and starting the workers (logs in {work})")
        jar = extract(bench.GATEWAY_JAR, os.path.join(work, "gateway"))
        config = os.path.join(work, "gateway.yml")
        bench.gateway_config(config)
        bench.start_workers(processes)

        # A training run warms the workers too: every measured gateway meets the same warm workers.
        cache = os.path.join(work, "gateway.aot")
        bench.log(f"training run on Java 25: {TRAINING_SECONDS} s of load, then the AOT cache is written at exit")
        processes.start("training", gateway_args(JAVA25, jar, config, [f"-XX:AOTCacheOutput={cache}"]))
        wait_ready(processes, "training", GATEWAY)
        bench.wrk(GATEWAY, bench.UNIFORM, TRAINING_SECONDS)
        stop(processes, "training")
        if not os.path.exists(cache):
            sys.exit(f"warmup: no AOT cache was written; see {work}/training.log")

        runs = {}
        for name, args, target in [
                ("java 17", gateway_args(bench.JAVA, jar, config), GATEWAY),
                ("java 25", gateway_args(JAVA25, jar, config), GATEWAY),
                ("java 25 + AOT cache", gateway_args(JAVA25, jar, config, [f"-XX:AOTCache={cache}"]), GATEWAY),
                ("stock scg, java 17", bench.stock_gateway_args(work), bench.STOCK_SCG)]:
            bench.log(f"{name}: {SECONDS} s of load from ready")
            runs[name] = series(processes, name.replace(" ", "-").replace(",", ""), args, target)
        write(runs, os.path.getsize(cache), round(time.time() - started))
    finally:
        processes.stop_all()
    shutil.rmtree(work, ignore_errors=True)


def write(runs, cache_bytes, seconds):
    facts = bench.versions()
    lines = [f"# Warm-up from process start: {time.strftime('%Y-%m-%d')}, {facts['machine']}",
             "",
             f"`bench/warmup.py`: each runtime starts a fresh gateway in front of the same warm workers; from ready, "
             f"closed-loop wrk ({bench.CONNECTIONS} connections, `GET /api/v1/hello`, uniform pool) in {WINDOW} s "
             f"windows for {SECONDS} s. *Ready* is the time from the process's start to its first proxied answer; "
             f"*warm*, to the end of the first three windows whose mean reaches 90 % of the run's own plateau (the "
             f"mean of its last minute). "
             f"AOT cache: "
             f"{cache_bytes / 2**20:.0f} MiB, from a {TRAINING_SECONDS} s training run under the same load. "
             f"Run took {seconds} s.",
             "",
             "| runtime | ready (s) | req/s at 15 s | at 30 s | at 60 s | plateau req/s | warm (s) | RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for name, (ready, windows, rss) in runs.items():
        own = plateau_of(windows)
        lines.append(f"| {name} | {ready:.1f} | {rate_at(windows, 15)} | {rate_at(windows, 30)} | "
                     f"{rate_at(windows, 60)} | {own:.0f} | {warm_at(windows, own)} | {rss:.0f} |")
    lines += ["", "Series (seconds since start: req/s):", ""]
    for name, (_, windows, _) in runs.items():
        lines.append(f"- {name}: " + ", ".join(f"{at:g}: {rps}" for at, rps in windows))
    bench.publish("warmup.md", lines)


if __name__ == "__main__":
    main()
