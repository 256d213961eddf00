#!/usr/bin/env python3
"""The review's hostile-client scenarios against a real `mercury serve`, on loopback only.

Usage: python3 benches/python/hostile_clients.py path/to/mercury [--nofile 1024]

A planet of one member whose 60 posts of ~75 KB of text make a ~9 MB feed.json is served with the
open-file limit of systemd's default (1,024). Then, one after another:
  1. memory: 200 clients request feed.json and never read; the server's RSS before and during;
  2. brotli: 40 parallel `Accept-Encoding: br` requests for feed.json, read whole, while
     robots.txt is requested every 100 ms; their wall time, the server's CPU, robots.txt latency;
  3. slow headers: 1,100 connections send half a request and stay; then a normal request;
  4. timeouts: when a silent, a half-sent and an idle keep-alive connection are closed.
Standard library only. Figures, not assertions: BENCHMARKS.md quotes them.
"""

import argparse
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = (
    "catalogue record library metadata archive shelf reader index subject heading authority "
    "serial volume issue edition binding folio manuscript provenance accession circulation "
    "reference collection digital preservation format schema crosswalk harvest repository "
    "open access licence citation abstract keyword thesaurus vocabulary ontology linked data"
).split()


def feed_xml(items=60, post_bytes=75_000):
    rng = random.Random(7)
    out = ['<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
           '<link>https://big.example/</link><description>d</description>']
    for i in range(items):
        paragraphs = []
        size = 0
        while size < post_bytes:
            p = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
            paragraphs.append(f"&lt;p&gt;{p}.&lt;/p&gt;")
            size += len(p) + 7
        out.append(
            f"<item><title>Post {i}</title><guid>big-{i}</guid>"
            f"<link>https://big.example/{i}</link>"
            f"<pubDate>Mon, 02 Nov 2026 10:{i % 60:02}:00 GMT</pubDate>"
            f"<description>{''.join(paragraphs)}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


def start_feed_server(body):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(port, path, headers="", timeout=30.0):
    """One request on a fresh connection: (status line, body length, seconds) or None."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n"
                      .encode())
            data = bytearray()
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), len(body), time.monotonic() - start


def closed_after(sock, limit):
    """Seconds until the server closes `sock` (None if still open after `limit`)."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mercury")
    ap.add_argument("--nofile", type=int, default=1024)
    args = ap.parse_args()
    # The clients need more descriptors than the server gets.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    tmp = tempfile.mkdtemp(prefix="mercury-hostile-")
    feed_port = start_feed_server(feed_xml())
    port = free_port()
    config = os.path.join(tmp, "feeds.toml")
    with open(config, "w") as f:
        f.write(f"""[planet]
name = "Hostile"
link = "https://planet.example.org/"
[fetch]
max_bytes = 50000000
timeout_secs = 60
[server]
listen = "127.0.0.1:{port}"
[[feed]]
url = "http://127.0.0.1:{feed_port}/feed.xml"
name = "Big"
""")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, hard))

    log = open(os.path.join(tmp, "serve.log"), "w")
    serve = subprocess.Popen([args.mercury, "--config", config, "serve"], stdout=log,
                             stderr=log, preexec_fn=limit)
    public = os.path.join(tmp, "public")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = get(port, "/robots.txt", timeout=2)
            if r and " 200" in r[0] and os.path.exists(os.path.join(public, "feed.json")):
                break
            time.sleep(0.5)
        time.sleep(1)
        sizes = {n: os.path.getsize(os.path.join(public, n))
                 for n in ("feed.json", "feed.json.gz", "feed.json.br")
                 if os.path.exists(os.path.join(public, n))}
        print(f"files: {sizes}; server open-file limit {args.nofile}")
        pid = serve.pid

        # 1. Non-reading clients.
        before = rss_mb(pid)
        stalled = []
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /feed.json HTTP/1.1\r\nHost: x\r\n\r\n")
            stalled.append(s)
        time.sleep(5)
        during = rss_mb(pid)
        print(f"1. 200 non-reading clients of feed.json: RSS {before:.0f} MB before, "
              f"{during:.0f} MB after 5 s")
        for s in stalled:
            s.close()
        time.sleep(2)

        # 2. Parallel brotli requests, robots.txt meanwhile.
        cpu0 = cpu_s(pid)
        results = []
        robots = []
        done = threading.Event()

        def br():
            results.append(get(port, "/feed.json", "Accept-Encoding: br\r\n", timeout=120))

        def probe():
            while not done.is_set():
                r = get(port, "/robots.txt", timeout=30)
                robots.append(r[2] if r else 30.0)
                time.sleep(0.1)

        threads = [threading.Thread(target=br) for _ in range(40)]
        prober = threading.Thread(target=probe)
        start = time.monotonic()
        for t in threads:
            t.start()
        prober.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
        done.set()
        prober.join()
        cpu = cpu_s(pid) - cpu0
        ok = sum(1 for r in results if r and " 200" in r[0])
        body = statistics.median(r[1] for r in results if r)
        print(f"2. 40 parallel br requests for feed.json: {ok} ok, body {body} bytes, "
              f"{wall:.2f} s wall, server CPU {cpu:.2f} s; robots.txt meanwhile: "
              f"median {statistics.median(robots) * 1000:.0f} ms, "
              f"max {max(robots) * 1000:.0f} ms ({len(robots)} requests)")

        # 3. Half-sent requests beyond the descriptor limit, then a normal request.
        slow = []
        refused = 0
        for _ in range(1100):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                slow.append(s)
            except OSError:
                refused += 1
        time.sleep(1.5)
        r = get(port, "/robots.txt", timeout=30)
        answer = f"{r[0]} in {r[2]:.2f} s" if r else "no answer within 30 s"
        open_after = sum(1 for s in slow if closed_after(s, 0.01) is None)
        print(f"3. 1,100 half-sent requests ({refused} not connected), then GET /robots.txt: "
              f"{answer}; {open_after} of the slow connections still open after it")
        for s in slow:
            s.close()
        time.sleep(1)
        r = get(port, "/robots.txt", timeout=30)
        print(f"   once they are gone: {r[0] + f' in {r[2]:.2f} s' if r else 'no answer'}; "
              f"serve {'running' if serve.poll() is None else 'exited'}")

        # 4. When idle connections are closed.
        silent = socket.create_connection(("127.0.0.1", port))
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.settimeout(5)
        idle.recv(65536)
        found = {}
        threads = [threading.Thread(target=lambda n=n, s=s: found.__setitem__(n, closed_after(s, 40)))
                   for n, s in (("silent", silent), ("half-sent", half), ("idle keep-alive", idle))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("4. closed after: " + ", ".join(
            f"{n} {'%.1f s' % v if v is not None else 'still open at 40 s'}"
            for n, v in found.items()))
    finally:
        serve.terminate()
        serve.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
