"""Per-request cost of three nested dependencies, in-process: fastrapi against FastAPI, in one run.

Same harness as ``bench/params/run.py`` (WSGI apps called with a prepared environ; FastAPI through a
minimal ASGI driver whose calls are all awaited in one coroutine). Every answer is checked first.

Usage: ``python bench/depends/run.py [--number 3000] [--repeats 7]``; writes bench/depends/results.md.
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

from bench.depends import apps  # noqa: E402
from bench.harness import runner, time_us  # noqa: E402

SCENARIOS = {
    "no dependencies": "/plain",
    "3 nested": "/nested",
    "3 nested, 1 query each": "/nested-query",
    "3 nested with yield": "/nested-yield",
}
QUERY = {"/nested-query": "x=1&y=2&z=3"}


def measure(kind: str, app: Any, path: str, number: int, repeats: int) -> float:
    query = QUERY.get(path, "")
    run = runner(kind, app, "GET", path, query, b"")
    status, out = run(1)
    if status != 200 or json.loads(out) != apps.EXPECTED[path]:
        raise RuntimeError(f"{path}: answered {status} {out[:100]!r}")
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
        ("fastrapi (async def)", "wsgi", apps.fastrapi_app(asynchronous=True)),
        ("FastAPI (def)", "asgi", apps.fastapi_app()),
        ("FastAPI (async def)", "asgi", apps.fastapi_app(asynchronous=True)),
    ]
    rows = []
    for label, kind, app in frameworks:
        rows.append((label, [measure(kind, app, path, args.number, args.repeats) for path in SCENARIOS.values()]))
        print(label, [round(v, 1) for v in rows[-1][1]], file=sys.stderr, flush=True)
    base = rows[0][1]
    lines = [
        "# Dependencies, in-process cost per request",
        "",
        f"µs per request (median of {args.repeats} x {args.number} calls), (x) relative to fastrapi (def); "
        f"{time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}. `python bench/depends/run.py`.",
        "",
        "| framework | " + " | ".join(SCENARIOS) + " |",
        "|---|" + "---:|" * len(SCENARIOS),
    ]
    for label, values in rows:
        cells = [f"{v:.1f} ({v / b:.2f}x)" for v, b in zip(values, base, strict=True)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
