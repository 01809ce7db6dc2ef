"""The framework matrix: seven scenarios on fastrapi and its Python peers, req/s median and p99, in one run.

Each framework runs the scenarios of bench/frameworks/common.py in its own idiom (bench/frameworks/*_app.py),
as a subprocess pinned to CPU 0 on a free loopback port; ``wrk`` (pinned to CPU 1) loads it, as in
run_hello.py. Writes bench/results/matrix.md and matrix.png. See bench/README.md.
Usage: ``python bench/run_matrix.py [--duration 5] [--runs 3] [--frameworks flask,falcon] [--scenarios 1,3]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from run_hello import PY, RESULTS, ROOT, WRK_REPORT, Measured, free_port, stop, versions, wait_ready, wrk

sys.path.insert(0, str(ROOT))
from bench.frameworks.common import SCENARIOS, Scenario

FRAMEWORKS = ROOT / "bench" / "frameworks"
BG = frozenset({"post + bg task"})  # no background tasks in these frameworks: scenario 4 is n/a
ROUTES_SCENARIO = "route 200/200"  # served by the module's ``routes_app``; the others by ``app``


@dataclass(frozen=True)
class Row:
    framework: str
    server: str  # "serve", "pywsgi", "uvicorn" or a gunicorn worker class
    module: str  # in bench/frameworks
    na: frozenset[str] = frozenset()
    note: str = ""

    @property
    def label(self) -> str:
        servers = {"serve": "app.serve()", "serve-patched": "app.serve(), patched", "pywsgi": "pywsgi + TCP_NODELAY",
                   "uvicorn": "uvicorn 1 worker"}
        return f"{self.framework} / {servers.get(self.server, f'gunicorn -k {self.server} -w 1')}"

    def command(self, attr: str, port: int) -> list[str]:
        target = f"bench.frameworks.{self.module}:{attr}"
        if self.server in ("serve", "pywsgi"):
            return [PY, str(FRAMEWORKS / f"{self.module}.py"), str(port), attr]
        if self.server == "serve-patched":  # gevent.monkey.patch_all() before the app is imported
            return [PY, str(ROOT / "bench" / "apps" / "patched_serve.py"), f"bench.frameworks.{self.module}", str(port),
                    attr]
        if self.server == "uvicorn":  # loop and http "auto": uvloop and httptools when installed
            return [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                    "--log-level", "warning", target]
        return [PY, "-m", "gunicorn", "-k", self.server, "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level",
                "warning", target]


ROWS = [
    Row("fastrapi", "serve", "fastrapi_app"),
    Row("fastrapi", "serve-patched", "fastrapi_app"),
    Row("fastrapi", "gevent", "fastrapi_app"),
    Row("fastrapi", "gevent_pywsgi", "fastrapi_app"),
    Row("fastrapi", "fastrapi.gunicorn_worker.Worker", "fastrapi_app", note="the worker `fastrapi run` uses"),
    Row("FastAPI def", "uvicorn", "fastapi_app"),
    Row("FastAPI async def", "uvicorn", "fastapi_async_app", note="scenario 5 awaits asyncio.sleep(0.01)"),
    Row("Django Ninja", "gevent", "ninja_app", BG),
    Row("flask-openapi3", "gevent", "flask_openapi3_app", BG),
    Row("Falcon", "gevent", "falcon_app", BG),
    Row("Flask", "gevent", "flask_app", BG),
    Row("Bottle", "gevent", "bottle_app", BG),
    Row("raw WSGI", "gevent", "raw_app"),
    # Unpatched and without a thread pool, a blocking sleep stops this server's only hub: scenario 5 is n/a.
    Row("raw WSGI", "pywsgi", "raw_app", frozenset({"sleep 10ms @200"})),
]


Cell = Measured  # one framework/server row's runs of one scenario


def lua(s: Scenario) -> str:
    """wrk script: the request (method, body, headers) and run_hello's report."""
    if s.method == "GET":
        return WRK_REPORT
    return (f'wrk.method = "{s.method}"\nwrk.body = [==[{s.body.decode()}]==]\n'
            f'wrk.headers["Content-Type"] = "application/json"\n{WRK_REPORT}')


def check(port: int, s: Scenario) -> None:
    """One request; the app must answer 200 with the expected JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/json"} if s.body else {}
        conn.request(s.method, s.path, body=s.body or None, headers=headers)
        response = conn.getresponse()
        status, body = response.status, response.read()
    finally:
        conn.close()
    try:
        ok = status == 200 and json.loads(body) == s.expected
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{s.method} {s.path} answered {status} {body[:100]!r}")


def measure(row: Row, attr: str, scenarios: list[Scenario], args: argparse.Namespace, tmp: Path) -> dict[str, Cell]:
    """Start ``row``'s ``attr`` app once and load it with each scenario in turn."""
    cells = {s.key: Cell() for s in scenarios}
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    slug = re.sub(r"[^a-z0-9]+", "-", f"{row.label} {attr}".lower()).strip("-")
    log = RESULTS / "logs" / f"matrix-{slug}.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(["taskset", "-c", "0", *row.command(attr, port)], cwd=ROOT, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_ready(proc, port, "/hello")
            for s in scenarios:
                print(f"  {s.title}", file=sys.stderr, flush=True)
                script = tmp / f"{s.key.replace(' ', '_').replace('/', '_')}.lua"
                script.write_text(lua(s))
                connections = s.connections or args.connections
                try:
                    check(port, s)
                    wrk(port, s.path, args.warmup, connections, script)
                    for _ in range(args.runs):
                        cells[s.key].runs.append(wrk(port, s.path, args.duration, connections, script))
                except subprocess.CalledProcessError as exc:
                    cells[s.key].failure = f"wrk failed: {exc.stderr.strip()[:200]}"
                except (RuntimeError, OSError) as exc:
                    cells[s.key].failure = f"{exc} (log: {log.relative_to(ROOT)})"
        except RuntimeError as exc:
            for cell in cells.values():
                cell.failure = f"server: {exc} (log: {log.relative_to(ROOT)})"
        finally:
            stop(proc)
    return cells


def measure_row(row: Row, scenarios: list[Scenario], args: argparse.Namespace, tmp: Path) -> dict[str, Cell]:
    wanted = [s for s in scenarios if s.key not in row.na]
    cells: dict[str, Cell] = {}
    main = [s for s in wanted if s.key != ROUTES_SCENARIO]
    routes = [s for s in wanted if s.key == ROUTES_SCENARIO]
    if main:
        cells.update(measure(row, "app", main, args, tmp))
    if routes:
        cells.update(measure(row, "routes_app", routes, args, tmp))
    return cells


def cell_text(row: Row, s: Scenario, cell: Cell | None) -> str:
    if s.key in row.na:
        return "n/a"
    if cell is None or not cell.runs:
        return "failed"
    return f"{cell.rps:,.0f} / {cell.p99_ms:.1f}"


def markdown(results: dict[Row, dict[str, Cell]], scenarios: list[Scenario], args: argparse.Namespace,
             load: float) -> str:
    peers = ["django-ninja", "flask-openapi3", "falcon", "flask", "bottle", "uvloop", "httptools"]
    found = []
    for name in peers:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    head = "| framework / server | " + " | ".join(s.title for s in scenarios) + " |"
    lines = [
        "# Framework matrix",
        "",
        f"Each cell: **req/s (median) / p99 ms (median)**. wrk -t1 -c{args.connections} (scenario 5: -c200) on CPU 1, "
        f"server on CPU 0; {args.warmup} s warm-up, median of {args.runs} runs of {args.duration} s. "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {versions()}, {', '.join(found)}. "
        f"1-min load average at start: {load:.2f}.",
        "",
        head,
        "|---|" + "---:|" * len(scenarios),
    ]
    for row, cells in results.items():
        lines.append(f"| {row.label} | " + " | ".join(cell_text(row, s, cells.get(s.key)) for s in scenarios) + " |")

    # Best fastrapi row per scenario against every other row.
    best = {s.key: max((c.rps for r, cs in results.items() if r.framework == "fastrapi"
                        for k, c in cs.items() if k == s.key and c.runs), default=0.0) for s in scenarios}
    others = [row for row in results if row.framework != "fastrapi"] if any(best.values()) else []
    if others:
        lines += ["", "Best fastrapi server's req/s divided by each row's (> 1: fastrapi is faster):", "", head,
                  "|---|" + "---:|" * len(scenarios)]
    for row in others:
        cells = results[row]
        ratios = []
        for s in scenarios:
            cell = cells.get(s.key)
            ok = cell is not None and cell.runs and best[s.key]
            ratios.append(f"{best[s.key] / cell.rps:.2f}" if ok else "—")  # type: ignore[union-attr]
        lines.append(f"| {row.label} | " + " | ".join(ratios) + " |")

    notes = [f"- {row.label}: {row.note}" for row in results if row.note and "sleep 10ms @200" in results[row]]
    for row, cells in results.items():
        for key, cell in cells.items():
            if cell.failure:
                notes.append(f"- {row.label} / {key}: {cell.failure}")
            if cell.runs and any(run.errors for run in cell.runs):
                notes.append(f"- {row.label} / {key}: {sum(r.errors for r in cell.runs)} socket errors or non-2xx")
            if cell.runs and min(run.rps for run in cell.runs) < 0.5 * cell.rps:
                notes.append(f"- {row.label} / {key}: one run below half the median (stall?)")
    return "\n".join(lines + (["", "Notes:", *notes] if notes else [])) + "\n"


def plot(results: dict[Row, dict[str, Cell]], scenarios: list[Scenario], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(results)
    cols = min(4, len(scenarios))
    nrows = -(-len(scenarios) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(5 * cols, 0.35 * len(rows) * nrows + 1.5), squeeze=False)
    for n, (ax, s) in enumerate(zip(axes.flat, scenarios)):
        values = [results[r][s.key].rps if s.key in results[r] and results[r][s.key].runs else 0 for r in rows]
        colors = ["tab:orange" if r.framework == "fastrapi" else "tab:gray" if r.framework == "raw WSGI"
                  else "tab:blue" for r in rows]
        ax.barh(range(len(rows)), values, color=colors)
        ax.set_yticks(range(len(rows)), [r.label for r in rows] if n % cols == 0 else [], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(s.title, fontsize=9)
        ax.set_xlabel("req/s (median)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        for i, (r, v) in enumerate(zip(rows, values)):
            ax.text(v, i, f" {v:,.0f}" if v else (" n/a" if s.key in r.na else " failed"), va="center", fontsize=6)
    for ax in list(axes.flat)[len(scenarios):]:
        ax.axis("off")
    fig.suptitle("fastrapi and its Python peers: req/s per scenario (orange: fastrapi, gray: raw WSGI)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per cell; the median is reported")
    parser.add_argument("--connections", type=int, default=8, help="connections, except scenario 5's 200")
    parser.add_argument("--frameworks", default="", help="comma-separated substrings of row labels to keep")
    parser.add_argument("--scenarios", default="", help="comma-separated scenario numbers, e.g. 1,3,7")
    parser.add_argument("--output", type=Path, default=RESULTS / "matrix.md", help="markdown file (and .png)")
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (apt-get install -y {'wrk' if tool == 'wrk' else 'util-linux'})")
    wanted = [w.strip().lower() for w in args.frameworks.split(",") if w.strip()]
    rows = [r for r in ROWS if not wanted or any(w in r.label.lower() for w in wanted)]
    numbers = {int(n) for n in args.scenarios.split(",") if n.strip()}
    scenarios = [s for i, s in enumerate(SCENARIOS, 1) if not numbers or i in numbers]

    (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    results: dict[Row, dict[str, Cell]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            print(f"[{i + 1}/{len(rows)}] {row.label}", file=sys.stderr, flush=True)
            results[row] = measure_row(row, scenarios, args, Path(tmp))
        # One retry for failed cells (an app broken for a moment by an edit in progress, a stall).
        for row, cells in results.items():
            retry = [s for s in scenarios if s.key in cells and not cells[s.key].runs]
            if retry:
                print(f"retrying {row.label}: {', '.join(s.key for s in retry)}", file=sys.stderr, flush=True)
                for key, cell in measure_row(row, retry, args, Path(tmp)).items():
                    cell.failure = cell.failure and f"{cell.failure} (after one retry)"
                    cells[key] = cell

    text = markdown(results, scenarios, args, load)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    plot(results, scenarios, args.output.with_suffix(".png"))
    return 1 if any(not c.runs for cells in results.values() for c in cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
