"""SSE fan-out: N concurrent event streams on one server process, one broadcast at a time.

For each server (``fastrapi run`` with one worker; FastAPI on uvicorn), it opens ``--streams``
``GET /subscribe`` connections from one asyncio client, waits until every one has its first
comment, then ``--rounds`` times posts ``/broadcast`` and times until the *last* stream has the
event. It also reads the server process's RSS before the streams and with them all open.

    .venv/bin/python bench/sse_fanout.py --streams 1000 --rounds 7

Prints, per server: the median (and min/max) time to the last client, and RSS per stream (KiB).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVERS = {
    # fastrapi run's worker under gunicorn itself: fastrapi run has no --worker-connections, and gunicorn's
    # default of 1,000 connections per worker leaves none for /broadcast once 1,000 streams are open.
    "fastrapi's worker (1 worker)": ["-m", "gunicorn", "-k", "fastrapi.gunicorn_worker.Worker", "-w", "1",
                                     "--worker-connections", "4000", "--log-level", "warning",
                                     "bench.apps.fastrapi_sse:app"],
    "fastapi + uvicorn": ["-m", "uvicorn", "bench.apps.fastapi_sse:app", "--log-level", "warning",
                          "--no-access-log"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def serving_pid(pid: int) -> int:
    """The process that serves: gunicorn's single worker (the master's child), else ``pid`` itself."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid


async def http(port: int, method: str, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
    body = await reader.read()
    writer.close()
    return body.partition(b"\r\n\r\n")[2]


async def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            await http(port, "GET", "/subscribers")
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("server not ready")


class Stream:
    """One subscriber: counts the broadcast events it got and when it got the last."""

    def __init__(self) -> None:
        self.events = 0
        self.last_at = 0.0
        self.subscribed = asyncio.Event()

    async def run(self, port: int, changed: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /subscribe HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
        buffer = b""
        try:
            while chunk := await reader.read(65536):
                buffer += chunk
                if not self.subscribed.is_set() and b": subscribed" in buffer:
                    self.subscribed.set()
                    changed.set()
                count = buffer.count(b"event: broadcast")
                if count:
                    self.events += count
                    self.last_at = time.perf_counter()
                    buffer = buffer[buffer.rfind(b"event: broadcast") + 16:]
                    changed.set()
        finally:
            writer.close()


async def measure(port: int, pid: int, streams: int, rounds: int) -> tuple[list[float], float]:
    await http(port, "GET", "/subscribers")
    before = rss_kib(pid)
    changed = asyncio.Event()
    clients = [Stream() for _ in range(streams)]
    tasks = []
    for start in range(0, streams, 100):  # a backlog's worth at a time
        tasks += [asyncio.create_task(c.run(port, changed)) for c in clients[start:start + 100]]
        await asyncio.gather(*(c.subscribed.wait() for c in clients[start:start + 100]))
    assert int(await http(port, "GET", "/subscribers")) == streams
    per_stream = (rss_kib(pid) - before) / streams
    latencies = []
    for round_ in range(1, rounds + 1):
        started = time.perf_counter()
        await http(port, "POST", f"/broadcast?message=round{round_}")
        while min(c.events for c in clients) < round_:
            changed.clear()
            await asyncio.wait_for(changed.wait(), 30)
        latencies.append(max(c.last_at for c in clients) - started)
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, per_stream


@contextlib.contextmanager
def server(args: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [PYTHON, *args]
    if "gunicorn" in args:
        command += ["--bind", f"127.0.0.1:{port}"]
    else:
        command += ["--port", str(port), "--host", "127.0.0.1"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", choices=list(SERVERS), help="one server only")
    options = parser.parse_args()
    for name, args in SERVERS.items():
        if options.only and name != options.only:
            continue
        port = free_port()
        with server(args, port) as process:
            await wait_ready(port, process)
            latencies, per_stream = await measure(port, serving_pid(process.pid), options.streams, options.rounds)
        ms = [1000 * x for x in latencies]
        print(f"{name}: {options.streams} streams, last client after median {statistics.median(ms):.1f} ms "
              f"(min {min(ms):.1f}, max {max(ms):.1f}, {options.rounds} rounds); RSS {per_stream:.1f} KiB/stream",
              flush=True)


if __name__ == "__main__":
    asyncio.run(main())
