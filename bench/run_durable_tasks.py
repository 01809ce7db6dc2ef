"""The cost of a durable ``add_task`` (RQ on Redis) against an in-process one and none, on ``fastrapi run``.

Same method as run_hello.py (server pinned to CPU 0, wrk to CPU 1); a redis-server of its own on a free port
(appendonly, fsync every second: Redis's recommended durable setting), no worker, so jobs pile up in Redis.
Usage: ``python bench/run_durable_tasks.py [--runs 3]``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from run_hello import RESULTS, WORKER, Target, gunicorn, parse_args, run

PATHS = [("no task", "/none"), ("1 in-process task", "/inprocess/1"), ("1 durable task", "/durable/1"),
         ("3 durable tasks", "/durable/3")]
SERVER = f"gunicorn -k {WORKER} -w 1 (fastrapi run)"
TARGETS = [Target(SERVER, label, gunicorn(WORKER, "fastrapi_durable_tasks"), path=path, baseline=path == "/none")
           for label, path in PATHS]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found (apt-get install -y redis-server)")
    args = parse_args(RESULTS / "durable_tasks.md")
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        redis = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", data, "--save", "",
                                  "--appendonly", "yes", "--appendfsync", "everysec"], stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:  # ready when it accepts a connection
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("redis-server did not start")
                    time.sleep(0.05)
            os.environ["FASTRAPI_BENCH_REDIS"] = f"redis://127.0.0.1:{port}/0"  # the servers inherit it
            return run(TARGETS, "GET: hello with no task, an in-process task, or durable tasks (RQ)", "no task", args)
        finally:
            redis.terminate()
            redis.wait(10)


if __name__ == "__main__":
    sys.exit(main())
