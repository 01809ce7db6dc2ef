"""Long-lived connections, fastrapi (``fastrapi run``, one worker) against FastAPI on uvicorn (one worker), in one run.

1. Idle WebSockets: RSS of the server's process tree with N open minus before, per connection (N = 1,000 then
   10,000 on the same server), and the median of 20 ``GET /hello`` (each on a new connection, from a separate
   client process) while they are all held.
2. Echo round trip on one WebSocket (median of ``--round-trips``).
3. Broadcast: one chat message sent to ``--members`` WebSockets; the time from the send until the last one has it.
4. The same fan-out for ``--members`` SSE streams (``bench/sse_fanout.py``'s measure).

    .venv/bin/python bench/longlived.py                 # everything, ~4 minutes; writes bench/results/longlived.md
    .venv/bin/python bench/longlived.py --idle 1000     # fewer idle connections (faster)
    .venv/bin/python bench/longlived.py --cpu 0         # client and servers share CPU 0

The client is the ``websockets`` library (asyncio), all connections from this one process; servers get the
same ``RLIMIT_NOFILE`` as this script, which raises its soft limit to the hard one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sse_fanout import measure as sse_measure  # noqa: E402
from bench.sse_fanout import serving_pid  # noqa: E402

PYTHON = sys.executable
LOGS = ROOT / "bench" / "results" / "logs"
# ``fastrapi run`` has no --worker-connections and gunicorn's default (1,000 per worker) would queue the rest
# in the backlog: this is ``fastrapi run`` with that one setting raised, everything else as the command does it.
FASTRAPI_RUN = ("import sys; from fastrapi import cli; options = cli.gunicorn_options; "
                "cli.gunicorn_options = lambda args: {**options(args), 'worker_connections': 25000}; "
                "sys.exit(cli.main(sys.argv[1:]))")
BATCH = 200  # handshakes in flight at once, well under both servers' listen backlog (2048)
# Echo and chat paths of each column: fastrapi's def and async endpoints, FastAPI's (async).
VARIANTS = {"def": ("/echo-def", "/chat-def"), "async": ("/echo", "/chat"), "fastapi": ("/echo", "/chat")}
ECHO_BLOCKS = 5  # the round trips are split in blocks, the variants taking turns


# -- servers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    label: str
    app: str  # module:attribute
    kind: str  # "fastrapi" or "uvicorn"

    def command(self, port: int) -> list[str]:
        if self.kind == "fastrapi":
            return [PYTHON, "-c", FASTRAPI_RUN, "run", self.app, "--host", "127.0.0.1", "--port", str(port),
                    "--workers", "1", "--no-access-log", "--log-level", "warning"]
        return [PYTHON, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--no-access-log", "--log-level", "warning"]


FASTRAPI_WS = Server("fastrapi run", "bench.apps.fastrapi_ws:app", "fastrapi")
FASTAPI_WS = Server("FastAPI + uvicorn", "bench.apps.fastapi_ws:app", "uvicorn")
FASTRAPI_SSE = Server("fastrapi run", "bench.apps.fastrapi_sse:app", "fastrapi")
FASTAPI_SSE = Server("FastAPI + uvicorn", "bench.apps.fastapi_sse:app", "uvicorn")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running(server: Server, tag: str) -> Any:
    """The server started on a free port (yields ``(port, pid)`` once ``/hello`` or ``/subscribers`` answers);
    stopped by SIGTERM to its pid, then SIGKILL to its process group if it has not gone within 20 s."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"longlived-{tag}.log").open("wb")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    process = subprocess.Popen(server.command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONPATH": path}, start_new_session=True)
    try:
        await wait_ready(port, process)
        yield port, process.pid
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers, nothing else
        process.wait()


async def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {LOGS}")
        with contextlib.suppress(OSError):
            status, _ = await http_get(port, "/hello")
            if status == 200:
                return
            status, _ = await http_get(port, "/subscribers")
            if status == 200:
                return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"server on {port} not ready")


async def http_get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants (gunicorn's master and worker; uvicorn's one process)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    return total


# -- 1. idle WebSockets ----------------------------------------------------------------------------------------

# Timed in a process of its own, so that this script's loop (holding every WebSocket) does not time itself.
LATENCY_PROBE = """
import http.client, json, sys, time
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
    conn.request("GET", "/hello")
    response = conn.getresponse()
    assert response.status == 200 and response.read() == b'{"Hello":"World"}', response.status
    conn.close()
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


async def http_latencies(port: int, count: int = 20) -> list[float]:
    probe = await asyncio.create_subprocess_exec(PYTHON, "-c", LATENCY_PROBE, str(port), str(count),
                                                 stdout=asyncio.subprocess.PIPE)
    out, _ = await probe.communicate()
    if probe.returncode:
        raise RuntimeError(f"the HTTP probe failed ({probe.returncode})")
    return [float(x) for x in json.loads(out)]


async def open_many(url: str, count: int, **options: Any) -> list[ClientConnection]:
    sockets: list[ClientConnection] = []
    for start in range(0, count, BATCH):
        batch = min(BATCH, count - start)
        sockets += await asyncio.gather(*(connect(url, ping_interval=None, open_timeout=120, **options)
                                          for _ in range(batch)))
    return sockets


async def close_all(sockets: list[ClientConnection]) -> None:
    for start in range(0, len(sockets), 1000):
        await asyncio.gather(*(ws.close() for ws in sockets[start:start + 1000]), return_exceptions=True)


async def open_count(port: int) -> int:
    return int((await http_get(port, "/open"))[1])


@dataclass
class IdleResult:
    kib_per_connection: dict[int, float] = field(default_factory=dict)
    http_ms: dict[int, float] = field(default_factory=dict)
    error: str = ""


async def idle(server: Server, path: str, counts: list[int], tag: str, deflate: bool = True) -> IdleResult:
    """Open ``counts`` (ascending) idle WebSockets on one fresh server; RSS per connection and HTTP latency at each."""
    result = IdleResult()
    async with running(server, tag) as (port, pid):
        url = f"ws://127.0.0.1:{port}{path}"
        # Warm up: the modules and code paths a connection uses are loaded before the baseline.
        await close_all(await open_many(url, 20))
        await http_latencies(port, 3)
        while await open_count(port):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        before = tree_rss_kib(pid)
        sockets: list[ClientConnection] = []
        try:
            for count in counts:
                sockets += await open_many(url, count - len(sockets), **({} if deflate else {"compression": None}))
                while await open_count(port) < count:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(1.0)  # let lazily allocated per-connection state settle
                result.kib_per_connection[count] = (tree_rss_kib(pid) - before) / count
                result.http_ms[count] = statistics.median(await http_latencies(port)) * 1000
                print(f"  {server.label} {path}: {count} idle, {result.kib_per_connection[count]:.1f} KiB each, "
                      f"GET /hello {result.http_ms[count]:.1f} ms", flush=True)
        except Exception as exc:  # keep the other rows: say what failed in the table
            result.error = f"{type(exc).__name__}: {exc}"
            print(f"  {server.label} {path}: failed: {result.error}", flush=True)
        finally:
            await close_all(sockets)
    return result


# -- 2. echo ---------------------------------------------------------------------------------------------------


async def echo(port: int, path: str, count: int) -> list[float]:
    """Seconds of ``count`` send-then-receive round trips on one new connection (after 100 unmeasured)."""
    async with connect(f"ws://127.0.0.1:{port}{path}", compression=None, ping_interval=None) as ws:
        for _ in range(100):
            await ws.send("ping")
            await ws.recv()
        times = []
        for _ in range(count):
            started = time.perf_counter()
            await ws.send("ping")
            await ws.recv()
            times.append(time.perf_counter() - started)
    return times


# -- 3. broadcast ----------------------------------------------------------------------------------------------


class Room:
    """``members`` listening WebSockets and one sender in a chat room; ``once`` times one broadcast."""

    def __init__(self, url: str, members: int) -> None:
        self.url = url
        self.members = members
        self.listeners: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.counts: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.done: dict[str, asyncio.Event] = {}

    async def open(self) -> None:
        self.listeners = await open_many(self.url, self.members, compression=None)
        self.sender = await connect(self.url, compression=None, ping_interval=None)
        self.tasks = [asyncio.create_task(self.listen(ws)) for ws in self.listeners]

    async def listen(self, ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in ws:
                text = str(message)
                self.counts[text] += 1
                self.last[text] = time.perf_counter()
                if self.counts[text] == self.members:
                    self.done[text].set()

    async def once(self, text: str) -> float:
        """Seconds from the sender's send until the last listener has ``text`` (the sender's copy is not waited
        for, only drained)."""
        self.counts[text] = 0
        self.done[text] = done = asyncio.Event()
        started = time.perf_counter()
        await self.sender.send(text)
        await asyncio.wait_for(done.wait(), 60)
        while (await self.sender.recv()) != text:
            pass
        return self.last[text] - started

    async def close(self) -> None:
        await close_all([*self.listeners, self.sender])
        await asyncio.gather(*self.tasks, return_exceptions=True)


# -- the run ---------------------------------------------------------------------------------------------------


def _turn(index: int) -> list[str]:
    """The variants in a rotating order, so that none is always first after a pause."""
    keys = list(VARIANTS)
    shift = index % len(keys)
    return keys[shift:] + keys[:shift]


def ms(seconds: list[float]) -> str:
    values = [x * 1000 for x in seconds]
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}-{max(values):.0f})"


async def measure_all(options: argparse.Namespace) -> list[list[str]]:
    """The table's rows: ``[figure, fastrapi def, fastrapi async, FastAPI, goal]``."""
    counts = sorted({min(1000, options.idle), options.idle})
    deflate = not options.no_deflate
    idle_def = await idle(FASTRAPI_WS, "/idle-def", counts, "idle-def", deflate)
    idle_async = await idle(FASTRAPI_WS, "/idle", counts, "idle-async", deflate)
    idle_fastapi = await idle(FASTAPI_WS, "/idle", counts, "idle-fastapi", deflate)
    rows: list[list[str]] = []
    for count in counts:
        cells = [_kib(r, count) for r in (idle_def, idle_async, idle_fastapi)]
        best = min((r.kib_per_connection[count] for r in (idle_def, idle_async) if count in r.kib_per_connection),
                   default=None)
        goal = _goal(best is not None and best <= 16, "≤ 16 kB") if count == max(counts) else "—"
        rows.append([f"RSS per idle WebSocket, {count:,} open", *cells, goal])
    for count in counts:
        cells = [_http(r, count) for r in (idle_def, idle_async, idle_fastapi)]
        held = [r.http_ms[count] for r in (idle_def, idle_async) if count in r.http_ms]
        goal = _goal(bool(held) and max(held) < 50, "10,000 held, < 50 ms") if count >= 10000 else "—"
        rows.append([f"GET /hello while {count:,} are open (median of 20)", *cells, goal])

    # Both servers at once, and the variants taking turns, so that a change in the machine's load shows in all.
    echoes: dict[str, list[float]] = {key: [] for key in VARIANTS}
    fanouts: dict[str, list[float]] = {key: [] for key in VARIANTS}
    async with running(FASTRAPI_WS, "traffic-fastrapi") as (fastrapi_port, _), \
            running(FASTAPI_WS, "traffic-fastapi") as (fastapi_port, _):
        ports = {"def": fastrapi_port, "async": fastrapi_port, "fastapi": fastapi_port}
        for block in range(ECHO_BLOCKS):
            for key in _turn(block):
                echoes[key] += await echo(ports[key], VARIANTS[key][0], options.round_trips // ECHO_BLOCKS)
        rooms = {key: Room(f"ws://127.0.0.1:{ports[key]}{VARIANTS[key][1]}", options.members) for key in VARIANTS}
        try:
            for room in rooms.values():
                await room.open()
            for round_ in range(options.rounds + 1):  # round 0 is not measured
                for key in _turn(round_):
                    took = await rooms[key].once(f"round {round_}")
                    if round_:
                        fanouts[key].append(took)
                    await asyncio.sleep(0.1)
        finally:
            for room in rooms.values():
                await room.close()
    median_echo = {key: statistics.median(times) for key, times in echoes.items()}
    print(f"  echo µs: { {k: round(v * 1e6, 1) for k, v in median_echo.items()} }", flush=True)
    rows.append([f"WebSocket echo round trip (median of {options.round_trips:,})",
                 *(f"{median_echo[k] * 1e6:.0f} µs" for k in VARIANTS),
                 "≤ 150 µs: " + ", ".join(f"{k} **{'met' if median_echo[k] <= 150e-6 else 'missed'}**"
                                         for k in ("def", "async"))])
    rows.append([f"Broadcast to {options.members:,} WebSockets, last one has it (median, min-max of "
                 f"{options.rounds})", *(ms(fanouts[k]) for k in VARIANTS), "—"])

    sse: dict[str, tuple[list[float], float]] = {}
    for key, server in (("async", FASTRAPI_SSE), ("fastapi", FASTAPI_SSE)):
        async with running(server, f"sse-{key}") as (port, pid):
            sse[key] = await sse_measure(port, serving_pid(pid), options.members, options.rounds)
    rows.append([f"Broadcast to {options.members:,} SSE streams, last one has it (median, min-max of "
                 f"{options.rounds})", "—", ms(sse["async"][0]), ms(sse["fastapi"][0]), "—"])
    rows.append([f"RSS per SSE stream, {options.members:,} open (serving process)", "—",
                 f"{sse['async'][1]:.1f} KiB", f"{sse['fastapi'][1]:.1f} KiB", "—"])
    return rows


def _kib(result: IdleResult, count: int) -> str:
    if count in result.kib_per_connection:
        return f"{result.kib_per_connection[count]:.1f} KiB"
    return f"failed ({result.error})" if result.error else "—"


def _http(result: IdleResult, count: int) -> str:
    if count in result.http_ms:
        return f"{result.http_ms[count]:.1f} ms"
    return f"failed ({result.error})" if result.error else "—"


def _goal(met: bool, goal: str) -> str:
    return f"{goal}: **{'met' if met else 'missed'}**"


def header(options: argparse.Namespace) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "fastrapi"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    versions = ", ".join(f"{name} {version(name)}" for name in ("gunicorn", "gevent", "wsproto", "fastapi",
                                                                  "uvicorn", "websockets"))
    return (f"fastrapi {commit}{' (fastrapi/ has uncommitted changes)' if dirty else ''}, Python "
            f"{platform.python_version()}, {versions}; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f} at the start{'' if options.cpu is None else f', all on CPU {options.cpu}'}; "
            f"idle {options.idle:,}"
            f"{' (no deflate offered)' if options.no_deflate else ''}, {options.round_trips} round trips, "
            f"{options.members:,} members x {options.rounds} rounds")


def table(rows: list[list[str]], summary: str) -> str:
    lines = [summary, "", "| | fastrapi run, `def` | fastrapi run, `async def` | FastAPI + uvicorn | goal |",
             "|---|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=10000, help="idle WebSockets held at the end (and 1,000)")
    parser.add_argument("--no-deflate", action="store_true",
                        help="idle clients do not offer permessage-deflate (browsers always do; the default does)")
    parser.add_argument("--round-trips", type=int, default=2000)
    parser.add_argument("--members", type=int, default=1000, help="WebSockets and SSE streams per broadcast")
    parser.add_argument("--rounds", type=int, default=9, help="broadcasts measured (after one unmeasured)")
    parser.add_argument("--cpu", type=int, default=None,
                        help="run this client and every server on this one CPU (no cross-CPU wake-ups in the echo)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "longlived.md"))
    options = parser.parse_args(argv)
    if options.cpu is not None:
        os.sched_setaffinity(0, {options.cpu})  # the servers inherit it
    raise_fd_limit()
    needed = max(options.idle, options.members) + 100
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < needed:
        parser.error(f"RLIMIT_NOFILE's hard limit is under {needed}; raise it (ulimit -Hn) first")
    summary = header(options)
    print(summary, flush=True)
    rows = asyncio.run(measure_all(options))
    text = table(rows, summary)
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    Path(options.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
