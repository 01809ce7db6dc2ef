"""Server CPU time per request, for fastrapi's own servers, across checkouts: an A/B that noise does not move.

Throughput on a shared 2-core VM drifts by ±30 % between runs; the CPU the server process spends per request
moves far less. For each round, each checkout and each server row, this starts the server pinned to CPU 0,
loads it with ``wrk`` pinned to CPU 1, and divides the server's user+system CPU time (its whole process tree,
from /proc) by the requests wrk counted. Rounds interleave the checkouts, so drift hits both sides alike.

Usage (an old checkout beside this one, e.g. ``git worktree add /tmp/base 192e8d4``)::

    python bench/cpu_per_request.py --checkout /tmp/base --checkout . --rounds 5 --duration 3

Prints, per scenario and server, the median µs of server CPU per request and the median req/s of each
checkout, and the ratio of the last checkout to the first.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from run_hello import PY, free_port, stop, wait_ready

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.frameworks.common import SCENARIOS, Scenario

TICK = os.sysconf("SC_CLK_TCK")
SERVERS = {
    "app.serve()": lambda root, port: [PY, str(root / "bench/frameworks/fastrapi_app.py"), str(port)],
    "app.serve(), patched": lambda root, port: [PY, str(root / "bench/apps/patched_serve.py"),
                                                "bench.frameworks.fastrapi_app", str(port)],
    "fastrapi run's worker": lambda root, port: [
        PY, "-m", "gunicorn", "-k", "fastrapi.gunicorn_worker.Worker", "-w", "1", "-b", f"127.0.0.1:{port}",
        "--log-level", "warning", "bench.frameworks.fastrapi_app:app"],
}
KEYS = ("hello", "path+query", "post model")


def tree_cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of ``pid`` and its descendants (gunicorn's worker is a child)."""
    children: dict[int, list[int]] = defaultdict(list)
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry))
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def wrk(port: int, scenario: Scenario, seconds: float, script: Path) -> int:
    """Requests wrk completed against ``scenario`` in ``seconds``."""
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{round(seconds)}s", "-s", str(script),
                          f"http://127.0.0.1:{port}{scenario.path}"], capture_output=True, text=True, check=True)
    match = re.search(r"(\d+) requests in", out.stdout)
    if match is None or "Non-2xx" in out.stdout:
        raise RuntimeError(f"wrk: {out.stdout}")
    return int(match[1])


def measure(root: Path, server: str, scenarios: list[Scenario], seconds: float,
            scripts: dict[str, Path]) -> dict[str, tuple[float, float]]:
    """``{scenario: (µs of server CPU per request, req/s)}`` for one server of one checkout."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(["taskset", "-c", "0", *SERVERS[server](root, port)], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_ready(process, port, "/hello")
        results = {}
        for scenario in scenarios:
            wrk(port, scenario, 1, scripts[scenario.key])  # warm-up
            before, started = tree_cpu_seconds(process.pid), time.monotonic()
            requests = wrk(port, scenario, seconds, scripts[scenario.key])
            cpu, wall = tree_cpu_seconds(process.pid) - before, time.monotonic() - started
            results[scenario.key] = (cpu / requests * 1e6, requests / wall)
        return results
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", action="append", type=Path, required=True,
                        help="a fastrapi checkout (give two or more; the first is the base)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per measurement")
    args = parser.parse_args()
    roots = [path.resolve() for path in args.checkout]
    scenarios = [s for s in SCENARIOS if s.key in KEYS]
    samples: dict[tuple[str, str, Path], list[tuple[float, float]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {}
        for s in scenarios:
            scripts[s.key] = Path(tmp) / f"{len(scripts)}.lua"
            scripts[s.key].write_text(f'wrk.method = "{s.method}"\nwrk.body = [==[{s.body.decode()}]==]\n'
                                      f'wrk.headers["Content-Type"] = "application/json"\n')
        for round_number in range(args.rounds):
            for root in roots:
                for server in SERVERS:
                    for key, sample in measure(root, server, scenarios, args.duration, scripts).items():
                        samples[key, server, root].append(sample)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    head = "| scenario | server | " + " | ".join(f"{r.name or r} µs CPU/req, req/s" for r in roots) + " | CPU ratio |"
    print(head)
    print("|---|---|" + "---:|" * (len(roots) + 1))
    for key in KEYS:
        for server in SERVERS:
            medians = [(statistics.median(c for c, _ in samples[key, server, r]),
                        statistics.median(q for _, q in samples[key, server, r])) for r in roots]
            cells = " | ".join(f"{cpu:.1f}, {rps:,.0f}" for cpu, rps in medians)
            print(f"| {key} | {server} | {cells} | {medians[-1][0] / medians[0][0]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
