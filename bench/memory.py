"""RSS of a fastrapi server after 10,000 and after 100,000 requests: the second must not be higher.

Usage: ``python bench/memory.py [--path /tasks/1] [--server serve|gevent]``. The app is
bench/apps/fastrapi_tasks.py (hello with 0, 1 or 3 background tasks per request).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from run_hello import ROOT, free_port, gunicorn, script, stop, wait_ready

CONNECTIONS = 4


def send(port: int, path: str, count: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(count):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
    finally:
        conn.close()


def load(port: int, path: str, total: int) -> None:
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(lambda _: send(port, path, total // CONNECTIONS), range(CONNECTIONS)))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def worker_pid(proc: subprocess.Popen[bytes], server: str) -> int:
    if server == "serve":
        return proc.pid
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return int(children[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/tasks/1")
    parser.add_argument("--server", choices=["serve", "gevent"], default="serve")
    args = parser.parse_args()
    port = free_port()
    command = (script("fastrapi_tasks.py") if args.server == "serve" else gunicorn("gevent", "fastrapi_tasks"))(port)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_ready(proc, port, args.path)
        pid = worker_pid(proc, args.server)
        started = time.monotonic()
        load(port, args.path, 10_000)
        time.sleep(0.5)  # tasks finish
        after_10k = rss_kib(pid)
        load(port, args.path, 90_000)
        time.sleep(0.5)
        after_100k = rss_kib(pid)
        elapsed = time.monotonic() - started
    finally:
        stop(proc)
    growth = after_100k - after_10k
    print(f"{args.server} GET {args.path}: RSS after 10,000 requests {after_10k / 1024:.1f} MiB, after 100,000 "
          f"{after_100k / 1024:.1f} MiB (growth {growth / 1024:+.2f} MiB); {elapsed:.0f} s")
    return 0 if growth <= 1024 else 1  # within 1 MiB: allocator noise, not a leak


if __name__ == "__main__":
    sys.exit(main())
