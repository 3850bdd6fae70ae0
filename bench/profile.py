#!/usr/bin/env python3
"""Where a proxied request's CPU goes, by layer, in our gateway and in the stock Spring Cloud Gateway, under the same
fixed offered rate in front of the same workers.

    bench/profile.py                    writes bench/results/profile.md (about 10 minutes on 2 cores)
    bench/profile.py before=OTHER.jar   and another build of our gateway beside them (about 15 minutes)

Each gateway is warmed (closed-loop wrk until three 10 s windows agree within 5 %), then carries BENCH_COST_RATE
req/s (hey) for BENCH_DURATION s while Java Flight Recorder samples it (settings=profile). CPU time is split into
user and system (kernel) from /proc; JFR's execution samples split the user part: each sample is charged to the layer
of its innermost frame outside the JDK (java.*, jdk.*, sun.*), so a HashMap lookup counts for whoever made it.
"""
import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import cost  # noqa: E402

JFR = os.path.join(os.environ.get("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jfr")
# First match wins: more specific prefixes first.
LAYERS = [
    ("clusterkit", ("io.clusterkit.",)),
    ("Spring Cloud Gateway", ("org.springframework.cloud.gateway.",)),
    ("Spring Cloud LoadBalancer / Commons", ("org.springframework.cloud.",)),
    ("Spring WebFlux / Web", ("org.springframework.web.", "org.springframework.http.")),
    ("Spring other", ("org.springframework.",)),
    ("Reactor Netty", ("reactor.netty.",)),
    ("Reactor Core", ("reactor.",)),
    ("Netty", ("io.netty.",)),
    ("Micrometer", ("io.micrometer.",)),
]
JDK = ("java.", "jdk.", "sun.", "javax.")


def charged(frames):
    """(layer, method) of the innermost frame outside the JDK."""
    for frame in frames:
        name = frame["method"]["type"]["name"].replace("/", ".")
        if name.startswith(JDK):
            continue
        method = f"{name.rsplit('.', 1)[-1]}.{frame['method']['name']}"
        for layer, prefixes in LAYERS:
            if name.startswith(prefixes):
                return layer, method
        return "other", method
    return "JDK only (GC, JIT, timers)", "-"


def samples(recording):
    for attempt in range(5):
        # the recording may still be being written when jcmd returns
        result = subprocess.run([JFR, "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
                                 recording], capture_output=True, text=True)
        if result.returncode == 0:
            break
        time.sleep(2)
    else:
        sys.exit(f"profile: jfr could not read {recording}: {result.stderr}")
    out = result.stdout
    events = json.loads(out)["recording"]["events"]
    return collections.Counter(charged(event["values"]["stackTrace"]["frames"]) for event in events)


def user_system(pids):
    user = system = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]), system + int(fields[12])
    return user / bench.CLOCK_TICKS, system / bench.CLOCK_TICKS


def profile(target, pids, work):
    recording = os.path.join(work, f"{target.name.replace(' ', '-')}.jfr")
    subprocess.run(["jcmd", str(pids[0]), "JFR.start", "name=bench", "settings=profile"], check=True,
                   capture_output=True)
    before = user_system(pids)
    latencies, _ = bench.hey(target, bench.UNIFORM, cost.SECONDS, cost.HEY_WORKERS, cost.RATE)
    after = user_system(pids)
    subprocess.run(["jcmd", str(pids[0]), "JFR.dump", "name=bench", f"filename={recording}"], check=True,
                   capture_output=True)
    subprocess.run(["jcmd", str(pids[0]), "JFR.stop", "name=bench"], check=True, capture_output=True)
    requests = max(1, len(latencies))
    user, system = ((a - b) * 1e6 / requests for a, b in zip(after, before))
    by_method = samples(recording)
    by_layer = collections.Counter()
    for (layer, _), count in by_method.items():
        by_layer[layer] += count
    return user, system, by_layer, by_method


def main():
    ours = cost.builds()
    work, processes = bench.begin("profile", ())
    rows = {}
    try:
        bench.log(f"starting the workers, {len(ours)} build(s) of our gateway and the stock one ({work})")
        cost.start_gateways(processes, ours)
        for target, process in (*((build, build.process) for build in ours), (bench.STOCK_SCG, "stock")):
            bench.log(f"warming {target.name}")
            bench.warm_until_stable(target, bench.UNIFORM, bench.JVM_WARMUP_WINDOW, bench.JVM_WARMUP_MIN,
                                    bench.JVM_WARMUP_MAX)
            bench.log(f"profiling {target.name} at {cost.RATE} req/s for {cost.SECONDS} s")
            rows[target.name] = profile(target, processes.pids(process), work)
        write(rows)
    finally:
        processes.stop_all()
    bench.shutil.rmtree(work, ignore_errors=True)


def write(rows):
    facts = bench.versions()
    names = list(rows)
    layers = sorted({layer for _, _, counts, _ in rows.values() for layer in counts},
                    key=lambda layer: -rows[names[0]][2][layer])
    lines = [f"# Where a proxied request's CPU goes: {time.strftime('%Y-%m-%d')}, {facts['machine']}", "",
             f"`bench/profile.py`: {cost.RATE} req/s (hey) for {cost.SECONDS} s per gateway after warm-up, JFR "
             f"execution samples (settings=profile) charged to the innermost frame outside the JDK; µs per request "
             f"are the user CPU time shared out by those samples. {facts['java']}.", "",
             "| layer | " + " | ".join(f"{name} µs/req" for name in names) + " | difference µs/req |",
             "|---|" + "---|" * (len(names) + 1)]
    per_layer = {}
    for name, (user, system, counts, _) in rows.items():
        total = max(1, sum(counts.values()))
        per_layer[name] = {layer: user * counts[layer] / total for layer in layers}
        per_layer[name]["kernel (system time)"] = system
    for layer in [*layers, "kernel (system time)"]:
        values = [per_layer[name].get(layer, 0) for name in names]
        lines.append(f"| {layer} | " + " | ".join(f"{v:.0f}" for v in values) + f" | {values[0] - values[-1]:+.0f} |")
    totals = [rows[name][0] + rows[name][1] for name in names]
    lines.append("| **total** | " + " | ".join(f"**{t:.0f}**" for t in totals) + f" | {totals[0] - totals[-1]:+.0f} |")
    lines += ["", "Samples: " + ", ".join(f"{name} {sum(rows[name][2].values())}" for name in names) + ".", ""]
    for name in names:
        user, _, counts, by_method = rows[name]
        total = max(1, sum(counts.values()))
        lines.append(f"Hottest methods of {name} (innermost frame outside the JDK, µs/req): "
                     + "; ".join(f"{method} ({layer}) {user * count / total:.1f}"
                                 for (layer, method), count in by_method.most_common(15)) + ".")
        lines.append("")
    bench.publish("profile.md", lines)


if __name__ == "__main__":
    main()
