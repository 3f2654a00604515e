#!/usr/bin/env python3
"""bench/api.py [CALLS] [CONCURRENCY]: API v1 throughput and latency, from a real HTTP client.

Starts a release build of `fefaent serve` with certification and evidence on (built-in TSA), an
account and an API key, and a loopback SMTP sink (smtp-sink) as every recipient's server; then
sends CALLS certified mails with `POST /v1/messages` (JSON, 4 KiB of text, one recipient) over
CONCURRENCY connections, and prints calls per second and the latency percentiles of the 202 (the
mail durable, charged and its record queued). The clock stops at the last 202.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
CONCURRENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 8
ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    subprocess.run(["swift", "build", "-c", "release", "--product", "fefaent"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    binary = Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.strip()) / "fefaent"
    work = Path(tempfile.mkdtemp(prefix="fefaent-api-bench."))
    sink_port, http, mx = free_port(), free_port(), free_port()
    sink = subprocess.Popen(["smtp-sink", "-c", f"127.0.0.1:{sink_port}", "1000"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    subprocess.run([binary, "keys", "init", "--dir", work / "keys", "--hostname", "fefaent.localhost"], check=True,
                   stdout=subprocess.DEVNULL)
    # The [evidence] block (built-in TSA) and the certified-mail settings every benchmark uses.
    shared_toml = subprocess.run(["bash", "-c", "source bench/lib.sh; evidence_toml; certified_toml"], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
    (work / "fefaent.toml").write_text(f"""
[server]
hostname = "fefaent.localhost"
spool = "spool"
log_level = "warning"
[certification]
certifier_addresses = ["certify@fefaent.localhost"]
[http]
listen = "127.0.0.1:{http}"
api_rate = 100000
api_burst = 100000
{shared_toml}
[delivery.routes]
"*" = "127.0.0.1:{sink_port}"
[[listener]]
name = "mx"
kind = "mx"
address = "127.0.0.1:{mx}"
""")
    config = ["--config", str(work / "fefaent.toml")]
    subprocess.run([binary, "account", "add", "acme", "--no-password", "--sender", "alice@acme.test",
                    "--units", "10000000", *config], check=True, stdout=subprocess.DEVNULL)
    key = subprocess.run([binary, "apikey", "add", "acme", *config], check=True, capture_output=True,
                         text=True).stdout.strip()
    daemon = subprocess.Popen([binary, "serve", *config], stderr=open(work / "fefaent.log", "w"))
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{http}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        body = json.dumps({"from": "alice@acme.test", "to": ["bob@example.test"], "subject": "Benchmark",
                           "text": "The quick brown fox jumps over the lazy dog.\n" * 90}).encode()
        latencies, failures, lock = [], [], threading.Lock()
        remaining = iter(range(CALLS))

        def worker():
            with httpx.Client(base_url=f"http://127.0.0.1:{http}", timeout=60,
                              headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}) as c:
                while True:
                    with lock:
                        if next(remaining, None) is None:
                            return
                    started = time.perf_counter()
                    response = c.post("/v1/messages", content=body)
                    elapsed = time.perf_counter() - started
                    with lock:
                        (latencies if response.status_code == 202 else failures).append(elapsed)

        c0 = cpu(daemon.pid)
        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - t0
        c1 = cpu(daemon.pid)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        print(f"== {CALLS} calls of POST /v1/messages (4 KiB, one recipient), {CONCURRENCY} connections, "
              f"evidence on")
        print(f"{len(latencies) / seconds:.0f} certified mails/s accepted; 202 latency p50 {p(0.5):.1f} ms, "
              f"p99 {p(0.99):.1f} ms; daemon CPU {(c1 - c0) * 1000 / max(1, len(latencies)):.2f} ms per call; "
              f"{len(failures)} failed")
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        sink.terminate()
        shutil.rmtree(work, ignore_errors=True)


def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
