#!/usr/bin/env python3
"""Every hostile-client case of docs/security.md, replayed over raw sockets against a running cluster.

    ./cluster up -d && python3 bench/hostile-probe.py [--gateway 127.0.0.1:8080] [--management 127.0.0.1:8081]

One line per case: what was sent, what came back, and the verdict against what docs/security.md promises. The
cluster runs with its defaults (body timeout 10 s, header timeout 10 s, 256 open requests and WebSockets per
client), so the whole run takes about a minute. Loopback only; every loop is bounded. Exits 1 when a case fails.
The committed output is docs/hostile-probe.txt.
"""
import argparse
import json
import socket
import sys
import threading
import time

WS_HEAD = ("GET /ws/echo HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


class Conn:
    """One client connection, optionally from another loopback address."""

    def __init__(self, addr, source="127.0.0.1", timeout=15.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect(addr)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data.encode("latin-1") if isinstance(data, str) else data)
        return self

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def read(self, body=True):
        """One response: (status, headers, body); (None, {}, reason) when the connection ended first."""
        try:
            status = int(self._line().split(" ")[1])
            headers = {}
            for line in iter(self._line, ""):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if not body:
                return status, headers, ""
            if "content-length" in headers:
                n = int(headers["content-length"])
                while len(self.buf) < n:
                    self._fill()
                data, self.buf = self.buf[:n], self.buf[n:]
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                data = b""
                while True:
                    size = int(self._line().split(";")[0], 16)
                    while len(self.buf) < size + 2:
                        self._fill()
                    data += self.buf[:size]
                    self.buf = self.buf[size + 2:]
                    if size == 0:
                        break
            else:
                data = b""
            return status, headers, data.decode("utf-8", "replace")
        except (EOFError, ConnectionError, socket.timeout) as ex:
            return None, {}, type(ex).__name__

    def closed_within(self, seconds):
        self.sock.settimeout(seconds)
        try:
            while self.sock.recv(65536):
                pass
            return True
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.sock.close()


def head(line, *headers):
    return line + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"


def answer(status, headers, body):
    if status is None:
        return "no answer (" + body + ")"
    kind = " problem" if headers.get("content-type", "").startswith("application/problem+json") else ""
    return str(status) + kind


def balancer(management):
    with socket.create_connection(management, timeout=5) as s:
        s.sendall(b"GET /actuator/balancer HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    head_, _, body = raw.partition(b"\r\n\r\n")
    if b"chunked" in head_.lower():
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    instances = [i for service in json.loads(body).values() for i in service["instances"]]
    return sum(i["failures"] for i in instances), [i["address"] for i in instances if i["state"] == "EJECTED"]


class Probe:

    def __init__(self, gateway, management):
        self.gateway, self.management = gateway, management
        self.failed = 0

    def report(self, case, sketch, got, ok):
        self.failed += 0 if ok else 1
        print(f"{'PASS' if ok else 'FAIL'}  {case:<34} {sketch:<64} -> {got}", flush=True)

    def one(self, case, request, expect, source="127.0.0.1"):
        c = Conn(self.gateway, source)
        got = c.send(request).read()
        c.close()
        sketch = request.split("\r\n")[0] + (" ..." if request.count("\r\n") > 2 else "")
        self.report(case, sketch[:64], answer(*got), got[0] == expect and "problem" in answer(*got))

    def whoami(self, *headers, source="127.0.0.1"):
        c = Conn(self.gateway, source)
        status, _, body = c.send(head("GET /api/v1/whoami HTTP/1.1", "Host: gateway", *headers)).read()
        c.close()
        return status, json.loads(body) if status == 200 else {}

    def run(self):
        failures_before, _ = balancer(self.management)

        # blame: 21 slow uploads, each stalling past the body timeout
        results = [None] * 21

        def slow(i):
            c = Conn(self.gateway, timeout=30)
            c.send(head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
                        "Content-Length: 1000") + "0123456789")
            for _ in range(3):
                time.sleep(2)
                c.send("x")
            results[i] = c.read()
            c.close()

        threads = [threading.Thread(target=slow, args=(i,)) for i in range(21)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        statuses = sorted({answer(*r) for r in results})
        self.report("slow uploads (21 clients)", "POST echo, Content-Length 1000, 10 B, 1 B/2 s, then silence",
                    ", ".join(statuses), statuses == ["408 problem"])

        c = Conn(self.gateway)
        c.send(head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
                    "Transfer-Encoding: chunked") + "5\r\nhello\r\n")
        time.sleep(0.3)
        got = c.send("zz\r\n").read()
        closed = c.closed_within(5)
        c.close()
        self.report("cut-off chunked body", "POST echo chunked: 5 hello, pause, 'zz'",
                    answer(*got) + (", closed" if closed else ", left open"), got[0] == 400 and closed)

        c = Conn(self.gateway)
        c.send(head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
                    "Transfer-Encoding: chunked") + "100000\r\n" + "a" * 0x100000 + "\r\n" + "10\r\n" + "b" * 16 + "\r\n")
        got = c.read()
        c.close()
        self.report("chunked body over the limit", "POST echo chunked: 1 MB, then 16 B more", answer(*got),
                    got[0] == 413)

        c = Conn(self.gateway)
        c.send(head("POST /api/v1/echo HTTP/1.1", "Host: gateway", "Content-Type: text/plain",
                    "Content-Length: 100") + "half")
        c.close()
        self.report("client hangs up mid-body", "POST echo, Content-Length 100, 4 B, close", "(nothing to read)", True)

        # idle WebSockets: past the per-client cap, and other clients served
        sockets, refused = [], 0
        for _ in range(300):
            c = Conn(self.gateway)
            status, _, _ = c.send(WS_HEAD).read(body=False)
            if status == 101:
                sockets.append(c)
            else:
                refused += 1
                c.close()
        started = time.monotonic()
        other = Conn(self.gateway, "127.0.0.2")
        got = other.send(head("GET /api/v1/hello HTTP/1.1", "Host: gateway")).read()
        elapsed = time.monotonic() - started
        other.close()
        [s.close() for s in sockets]
        self.report("300 idle WebSockets, one client", "GET /ws/echo Upgrade x300, then GET hello from 127.0.0.2",
                    f"{len(sockets)} upgraded, {refused} refused 429; other client {got[0]} in {elapsed * 1000:.0f} ms",
                    len(sockets) == 256 and got[0] == 200 and elapsed < 1)

        # heads, pipelined or not
        for case, pipelined, expect in [("pipelined head without Host", "GET /api/v1/hello HTTP/1.1\r\n\r\n", 400),
                                        ("pipelined HTTP/1.2", "GET /api/v1/hello HTTP/1.2\r\nHost: a\r\n\r\n", 505),
                                        ("pipelined repeated Host",
                                         "GET /api/v1/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]:
            c = Conn(self.gateway)
            first = c.send(head("GET /api/v1/hello HTTP/1.1", "Host: gateway") + pipelined).read()
            second = c.read()
            c.close()
            self.report(case, "GET hello + " + pipelined.split("\r\n")[0] + " on one write",
                        answer(*first) + " then " + answer(*second), first[0] == 200 and second[0] == expect)

        c = Conn(self.gateway, timeout=30)
        first = c.send(head("GET /api/v1/work?sleepMs=1000 HTTP/1.1", "Host: gateway") + "GET /api/v1/hel").read()
        second = c.read()
        c.close()
        self.report("partial head behind a slow request", "GET work?sleepMs=1000 + 'GET /api/v1/hel', then silence",
                    answer(*first) + " then " + answer(*second), first[0] == 200 and second[0] == 408)

        c = Conn(self.gateway, timeout=30)
        got = c.send("GET /api/v1/hello HTTP/1.1\r\nHost: gateway\r\n").read()
        c.close()
        self.report("slowloris head", "GET hello, head never finished", answer(*got), got[0] == 408)

        self.one("HTTP/1.0 conflicting Content-Length",
                 head("POST /api/v1/echo HTTP/1.0", "Content-Length: 2", "Content-Length: 3") + "abc", 400)
        self.one("Host forging a Forwarded parameter", head("GET /api/v1/whoami HTTP/1.1", "Host: shop.example;proto=https"), 400)
        self.one("Host with an empty port", head("GET /api/v1/whoami HTTP/1.1", "Host: a:"), 400)
        self.one("X-Forwarded-Host with a quote", head("GET /api/v1/whoami HTTP/1.1", "Host: gateway",
                                                       'X-Forwarded-Host: a"b'), 400)
        self.one("CONNECT tunnel", head("CONNECT 127.0.0.1:9001 HTTP/1.1", "Host: gateway"), 405)
        self.one("WebSocket over CONNECT", head("CONNECT /ws/echo HTTP/1.1", "Host: gateway", "Upgrade: websocket",
                                                "Connection: Upgrade", "Sec-WebSocket-Version: 13"), 405)
        self.one("TRACE", head("TRACE /api/v1/hello HTTP/1.1", "Host: gateway"), 405)
        self.one("unknown method", head("PROPFIND /api/v1/hello HTTP/1.1", "Host: gateway"), 501)
        for path in ["/api/v1/..%3b/actuator/health", "/api/%252e%252e/actuator/health",
                     "/api/%c0%ae%c0%ae/actuator/health", "/api/../actuator/health"]:
            self.one("path trick " + path.split("/")[3 if path.startswith("/api/v1") else 2],
                     head("GET " + path + " HTTP/1.1", "Host: gateway"), 400)

        big = [f"X-Large-{i}: " + "a" * 1000 for i in range(12)]
        c = Conn(self.gateway)
        got = c.send(head("GET /api/v1/hello HTTP/1.1", "Host: gateway", *big)).read()
        got_line = c.send(head("GET /api/v1/hello?q=" + "b" * 6144 + " HTTP/1.1", "Host: gateway")).read()
        c.close()
        self.report("what the gateway forwards, workers take", "GET hello with 12 KB of headers; with a 6 KB line",
                    f"{got[0]}; {got_line[0]}", got[0] == 200 and got_line[0] == 200)
        self.one("headers over the gateway's limit", head("GET /api/v1/hello HTTP/1.1", "Host: gateway",
                                                          *[f"X-Large-{i}: " + "a" * 1000 for i in range(20)]), 431)

        # what workers are told
        status, seen = self.whoami("X-Real-IP: 6.6.6.6", "True-Client-IP: 6.6.6.6", "X-Original-URL: /actuator",
                                   "X-Rewrite-URL: /actuator")
        leaked = [h for h in ("x-real-ip", "true-client-ip", "x-original-url", "x-rewrite-url")
                  if h in seen.get("headers", {})]
        self.report("address and path claims", "GET whoami with X-Real-IP, True-Client-IP, X-Original-URL, ...",
                    f"{status}, reached the worker: {leaked or 'none'}", status == 200 and not leaked)
        rid = "0f8fad5b-d9cb-469f-a165-70867728950e"
        status, seen = self.whoami("Connection: X-Request-Id", "X-Request-Id: " + rid)
        got_id = seen.get("headers", {}).get("x-request-id")
        self.report("request id named in Connection", "GET whoami, Connection: X-Request-Id, X-Request-Id: <id>",
                    f"{status}, worker got {got_id}", got_id == [rid])
        status, seen = self.whoami("Forwarded: for=6.6.6.6", "X-Forwarded-For: 6.6.6.6", source="127.0.0.2")
        self.report("forged client address", "GET whoami from 127.0.0.2, Forwarded/X-Forwarded-For: 6.6.6.6",
                    f"{status}, worker sees {seen.get('client')}", seen.get("client") == "127.0.0.2")

        with socket.create_connection(self.management, timeout=5) as s:
            s.sendall(b"GET /actuator/dashboard HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
            raw = s.recv(4096).decode("latin-1").lower()
        framed = "x-frame-options: deny" in raw and "frame-ancestors 'none'" in raw
        self.report("dashboard in a frame", "GET /actuator/dashboard on the management port",
                    "X-Frame-Options DENY, CSP frame-ancestors 'none'" if framed else "frameable", framed)

        time.sleep(1)
        failures_after, ejected = balancer(self.management)
        self.report("blame after all of the above", "GET /actuator/balancer",
                    f"failures charged: {failures_after - failures_before}, ejected: {ejected or 'none'}",
                    failures_after == failures_before and not ejected)
        print(f"{'all passed' if self.failed == 0 else str(self.failed) + ' failed'}")
        return self.failed


def address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gateway", type=address, default=("127.0.0.1", 8080))
    parser.add_argument("--management", type=address, default=("127.0.0.1", 8081))
    args = parser.parse_args()
    sys.exit(1 if Probe(args.gateway, args.management).run() else 0)
