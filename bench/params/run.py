"""Per-request cost of parameter handling, in-process: fastrapi against FastAPI and Falcon, in one run.

Each app is called directly, no server and no sockets: WSGI apps (fastrapi, Falcon) with a prepared environ
(a fresh copy and ``wsgi.input`` per call), FastAPI through a minimal ASGI driver (one event loop; every call
awaited inside one coroutine, so the loop's own cost is not counted). Every answer is checked first.

Usage: ``python bench/params/run.py [--number 3000] [--repeats 7]``; writes bench/params/results.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from bench.harness import runner, time_us  # noqa: E402
from bench.params import apps  # noqa: E402

SCENARIOS = {
    "path+query": ("GET", "/items/42", "q=foo&limit=5", b"", {"item_id": 42, "q": "foo", "limit": 5}),
    "pydantic body": ("POST", "/items", "", apps.ITEM_JSON, json.loads(apps.ITEM_JSON)),
    "422 bad query": ("GET", "/items/x", "limit=y", b"", None),
}


def measure(kind: str, app: Any, scenario: str, number: int, repeats: int) -> float:
    method, path, query, body, expected = SCENARIOS[scenario]
    run = runner(kind, app, method, path, query, body)
    status, out = run(1)
    if expected is None:
        if not 400 <= status < 500:
            raise RuntimeError(f"{scenario}: expected a 4xx, got {status} {out[:80]!r}")
    elif status != 200 or json.loads(out) != expected:
        raise RuntimeError(f"{scenario}: answered {status} {out[:100]!r}")
    run(max(1, number // 5))  # warm up
    return time_us(run, number, repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    frameworks = [
        ("fastrapi (def)", "wsgi", apps.fastrapi_app()),
        ("FastAPI (def)", "asgi", apps.fastapi_app()),
        ("FastAPI (async def)", "asgi", apps.fastapi_app(asynchronous=True)),
        ("Falcon (hand-written checks)", "wsgi", apps.falcon_app()),
    ]
    rows = []
    for label, kind, app in frameworks:
        rows.append((label, [measure(kind, app, s, args.number, args.repeats) for s in SCENARIOS]))
        print(label, rows[-1][1], file=sys.stderr, flush=True)
    base = rows[0][1]
    lines = [
        "# Parameter handling, in-process cost per request",
        "",
        f"µs per request (median of {args.repeats} x {args.number} calls), (x) relative to fastrapi; "
        f"{time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}. `python bench/params/run.py`.",
        "",
        "| framework | " + " | ".join(SCENARIOS) + " |",
        "|---|" + "---:|" * len(SCENARIOS),
    ]
    for label, values in rows:
        cells = [f"{v:.1f} ({v / b:.2f}x)" for v, b in zip(values, base)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
