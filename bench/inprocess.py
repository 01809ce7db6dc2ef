"""Framework cost without a server: each app is called in-process with a prepared request, µs per request.

WSGI apps get a prepared environ (a fresh copy and ``wsgi.input`` per call); FastAPI gets the equivalent ASGI
scope through a minimal driver (one event loop, all calls inside one coroutine). Scenarios 1-3 of
bench/frameworks/common.py. Usage: ``python bench/inprocess.py [--repeats 7] [--only fastrapi,flask]``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.frameworks.common import SCENARIOS, Scenario  # noqa: E402
from bench.harness import runner, time_us  # noqa: E402

# label -> (module in bench/frameworks, "wsgi" or "asgi")
APPS = {
    "fastrapi (def)": ("fastrapi_app", "wsgi"),
    "FastAPI (def)": ("fastapi_app", "asgi"),
    "FastAPI (async def)": ("fastapi_async_app", "asgi"),
    "Django Ninja": ("ninja_app", "wsgi"),
    "flask-openapi3": ("flask_openapi3_app", "wsgi"),
    "Falcon": ("falcon_app", "wsgi"),
    "Flask": ("flask_app", "wsgi"),
    "Bottle": ("bottle_app", "wsgi"),
    "raw WSGI": ("raw_app", "wsgi"),
}


def measure(kind: str, app: Any, s: Scenario, number: int, repeats: int) -> float:
    """Check one answer, warm up, then time; µs per request."""
    path, _, query = s.path.partition("?")
    run = runner(kind, app, s.method, path, query, s.body)
    status, body = run(1)
    if status != 200 or json.loads(body) != s.expected:
        raise RuntimeError(f"{s.method} {s.path} answered {status} {body[:100]!r}")
    run(max(1, number // 5))  # warm up
    return time_us(run, number, repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000, help="calls per repeat (default 2000)")
    parser.add_argument("--repeats", type=int, default=7, help="repeats; the median is reported (default 7)")
    parser.add_argument("--only", default="", help="comma-separated substrings of the framework labels to keep")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "inprocess.md")
    args = parser.parse_args()
    wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    scenarios = SCENARIOS[:3]
    rows: dict[str, list[float | str]] = {}
    for label, (module, kind) in APPS.items():
        if wanted and not any(w in label.lower() for w in wanted):
            continue
        app = importlib.import_module(f"bench.frameworks.{module}").app
        for s in scenarios:
            print(f"{label} / {s.title} ...", file=sys.stderr, flush=True)
            try:
                value: float | str = measure(kind, app, s, args.number, args.repeats)
            except Exception as exc:  # a framework broken mid-edit must not hide the others
                value = f"failed: {exc}"[:80]
            rows.setdefault(label, []).append(value)

    base = rows.get("fastrapi (def)", [])
    lines = [
        "# In-process cost per request (no server, no sockets)",
        "",
        f"µs per request, median of {args.repeats} repeats of {args.number} calls; (x) = relative to fastrapi. "
        f"{time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}.",
        "",
        "| framework | " + " | ".join(s.title for s in scenarios) + " |",
        "|---|" + "---:|" * len(scenarios),
    ]
    for label, values in rows.items():
        cells = []
        for i, v in enumerate(values):
            if isinstance(v, str):
                cells.append(v)
            elif i < len(base) and isinstance(base[i], float):
                cells.append(f"{v:.1f} ({v / base[i]:.2f}x)")
            else:
                cells.append(f"{v:.1f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 1 if any(isinstance(v, str) for values in rows.values() for v in values) else 0


if __name__ == "__main__":
    sys.exit(main())
