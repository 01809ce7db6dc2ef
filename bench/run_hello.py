"""GET /hello throughput and tail latency across servers, in one run.

Each server runs as a subprocess pinned to CPU 0 on a free loopback port; ``wrk`` (pinned to
CPU 1) loads it. See bench/README.md. Usage: ``python bench/run_hello.py [--duration 5] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APPS = BENCH / "apps"
RESULTS = BENCH / "results"
PY = sys.executable
EXPECTED = {"Hello": "World"}

# wrk reports through this script: requests, duration (µs), p50 and p99 latency (µs), errors.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.0f %.0f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


WORKER = "fastrapi.gunicorn_worker.Worker"


def gunicorn(worker: str, module: str) -> Callable[[int], list[str]]:
    return lambda port: [PY, "-m", "gunicorn", "-k", worker, "-w", "1", "-b", f"127.0.0.1:{port}",
                         "--pythonpath", str(APPS), "--log-level", "warning", f"{module}:app"]


def script(name: str) -> Callable[[int], list[str]]:
    return lambda port: [PY, str(APPS / name), str(port)]


def patched_script(module: str) -> Callable[[int], list[str]]:
    """``app.serve()`` in a process monkey-patched before the app is imported."""
    return lambda port: [PY, str(APPS / "patched_serve.py"), module, str(port)]


def uvicorn(module: str) -> Callable[[int], list[str]]:
    return lambda port: [PY, "-m", "uvicorn", "--app-dir", str(APPS), "--host", "127.0.0.1", "--port", str(port),
                         "--no-access-log", "--log-level", "warning", f"{module}:app"]


@dataclass(frozen=True)
class Target:
    server: str
    app: str
    command: Callable[[int], list[str]]
    path: str = "/hello"
    baseline: bool = False  # the row the others on the same server are compared with


TARGETS = [
    Target("pywsgi + TCP_NODELAY", "raw", script("raw_wsgi.py"), baseline=True),
    Target("pywsgi + TCP_NODELAY", "fastrapi (app.serve)", script("fastrapi_hello.py")),
    Target("pywsgi + TCP_NODELAY", "fastrapi (app.serve, patched)", patched_script("fastrapi_hello")),
    Target("gunicorn -k gevent -w 1", "raw", gunicorn("gevent", "raw_wsgi"), baseline=True),
    Target("gunicorn -k gevent -w 1", "fastrapi", gunicorn("gevent", "fastrapi_hello")),
    Target("gunicorn -k gevent_pywsgi -w 1", "raw", gunicorn("gevent_pywsgi", "raw_wsgi"), baseline=True),
    Target("gunicorn -k gevent_pywsgi -w 1", "fastrapi", gunicorn("gevent_pywsgi", "fastrapi_hello")),
    # fastrapi's own worker class, what `fastrapi run` starts: pywsgi inside gunicorn with fastrapi's handler.
    Target("gunicorn -k fastrapi.gunicorn_worker.Worker -w 1", "raw", gunicorn(WORKER, "raw_wsgi"), baseline=True),
    Target("gunicorn -k fastrapi.gunicorn_worker.Worker -w 1", "fastrapi", gunicorn(WORKER, "fastrapi_hello")),
    Target("uvicorn (1 worker)", "FastAPI", uvicorn("fastapi_hello")),
    # async def endpoints: fastrapi drives one that never awaits with no event loop and no thread hop.
    Target("pywsgi + TCP_NODELAY", "fastrapi async def (app.serve)", script("fastrapi_hello_async.py")),
    Target("gunicorn -k gevent_pywsgi -w 1", "fastrapi async def", gunicorn("gevent_pywsgi", "fastrapi_hello_async")),
    Target("uvicorn (1 worker)", "FastAPI async def", uvicorn("fastapi_hello_async")),
]


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Measured:
    """The runs of one measurement (a server and app, or a matrix cell) and their medians."""

    runs: list[Run] = field(default_factory=list)
    failure: str = ""

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)


@dataclass
class Result(Measured):
    target: Target = field(kw_only=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, timeout: float = 30.0) -> None:
    """Poll the port until GET ``path`` answers 200 with the expected body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with code {proc.returncode} before serving")
        try:
            status, body = get(port, path)
        except OSError:
            time.sleep(0.05)
            continue
        if status != 200 or json.loads(body) != EXPECTED:
            raise RuntimeError(f"GET {path} answered {status} {body[:80]!r}")
        return
    raise RuntimeError(f"not serving after {timeout:.0f}s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> bool:
    """SIGTERM, then kill the whole process group (gunicorn's worker too) if it lingers; True if killed."""
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
        return False
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    return True


def wrk(port: int, path: str, seconds: int, connections: int, report: Path) -> Run:
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(report), f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"no report from wrk:\n{out}")
    requests, duration_us, p50_us, p99_us, errors = (int(float(x)) for x in line.split()[1:])
    return Run(requests / (duration_us / 1e6), p50_us / 1000, p99_us / 1000, errors)


def measure(target: Target, args: argparse.Namespace, report: Path, log: Path) -> Result:
    result = Result(target=target)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with log.open("wb") as log_file:
        proc = subprocess.Popen(["taskset", "-c", "0", *target.command(port)], cwd=ROOT, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_ready(proc, port, target.path)
            wrk(port, target.path, args.warmup, args.connections, report)
            for _ in range(args.runs):
                result.runs.append(wrk(port, target.path, args.duration, args.connections, report))
        except subprocess.CalledProcessError as exc:
            result.failure = f"wrk failed: {exc.stderr.strip()[:200]}"
        except RuntimeError as exc:
            result.failure = f"{exc} (log: {log})"
        finally:
            killed = stop(proc)
    if killed and not result.failure:
        result.failure = "did not stop within 10 s of SIGTERM; killed"
    return result


def versions() -> str:
    names = ["gevent", "gunicorn", "uvicorn", "fastapi", "pydantic"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "fastrapi"],
                           capture_output=True, text=True).stdout.strip()
    commit = (git.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty else "")
    return f"Python {platform.python_version()}, fastrapi at {commit}, " + ", ".join(found)


def table(results: list[Result], baseline: str = "raw") -> list[str]:
    raw = {r.target.server: r.rps for r in results if r.target.baseline and r.runs}
    rows = [["server", "app", "req/s (median)", "p50 ms", "p99 ms", f"vs {baseline} on same server", "req/s per run",
             "errors"],
            ["---", "---", "---:", "---:", "---:", "---:", "---", "---:"]]
    for r in results:
        if not r.runs:
            rows.append([r.target.server, r.target.app, "failed", "", "", "", "", ""])
            continue
        ratio = f"{r.rps / raw[r.target.server]:.2f}" if r.target.server in raw else "—"
        per_run = " / ".join(f"{run.rps:.0f}" for run in r.runs)
        errors = sum(run.errors for run in r.runs)
        rows.append([r.target.server, r.target.app, f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", ratio,
                     per_run, str(errors)])
    return ["| " + " | ".join(row) + " |" for row in rows]


def notes(results: list[Result]) -> list[str]:
    found = []
    for r in results:
        label = f"{r.target.server} / {r.target.app}"
        if r.failure:
            found.append(f"- {label}: {r.failure}")
        if r.runs and min(run.rps for run in r.runs) < 0.5 * r.rps:
            found.append(f"- {label}: one run below half the median (stall?)")
        if any(run.errors for run in r.runs):
            found.append(f"- {label}: wrk counted socket errors or non-2xx answers")
    return found


def parse_args(default_output: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(sys.modules["__main__"].__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections (default 8)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per server; the median is reported")
    parser.add_argument("--only", default="", help="comma-separated substrings of 'server / app' to keep")
    parser.add_argument("--output", type=Path, default=default_output, help="markdown file to write")
    return parser.parse_args()


def run(targets: list[Target], title: str, baseline: str, args: argparse.Namespace) -> int:
    """Measure ``targets`` one after the other; print and write the markdown table."""
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (apt-get install -y {'wrk' if tool == 'wrk' else 'util-linux'})")
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    targets = [t for t in targets if not wanted or any(w in f"{t.server} / {t.app}" for w in wanted)]

    (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.lua"
        report.write_text(WRK_REPORT)
        for i, target in enumerate(targets):
            print(f"[{i + 1}/{len(targets)}] {target.server} / {target.app} ...", file=sys.stderr, flush=True)
            slug = re.sub(r"[^a-z0-9]+", "-", f"{target.server} {target.app}".lower()).strip("-")
            log = RESULTS / "logs" / f"{slug}.log"
            results.append(measure(target, args, report, log))

    found = notes(results)
    lines = [
        f"# {title}",
        "",
        f"wrk -t1 -c{args.connections} (CPU 1), server on CPU 0; {args.warmup} s warm-up, "
        f"median of {args.runs} runs of {args.duration} s. {time.strftime('%Y-%m-%d %H:%M')}, {versions()}. "
        f"1-min load average at start: {load_before:.2f} (other busy processes skew the numbers).",
        "",
        *table(results, baseline),
        *(["", "Notes:", *found] if found else []),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 1 if any(r.failure for r in results) else 0


def main() -> int:
    return run(TARGETS, "GET /hello", "raw", parse_args(RESULTS / "hello.md"))


if __name__ == "__main__":
    sys.exit(main())
