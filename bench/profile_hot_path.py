"""Profile fastrapi's hot path in-process and write flame views (pyinstrument HTML) per scenario.

Usage: ``python bench/profile_hot_path.py [--calls 20000]``; writes bench/results/profile-<scenario>.html
(open in a browser: a flame/icicle view) and prints the call tree of each scenario's hot path.
Needs ``pip install pyinstrument`` (in the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from pyinstrument import Profiler

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.frameworks.common import SCENARIOS  # noqa: E402
from bench.harness import wsgi_caller  # noqa: E402

RESULTS = BENCH / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000, help="requests per scenario (default 20000)")
    args = parser.parse_args()
    app = importlib.import_module("bench.frameworks.fastrapi_app").app
    RESULTS.mkdir(parents=True, exist_ok=True)
    for scenario in SCENARIOS[:3]:
        path, _, query = scenario.path.partition("?")
        call = wsgi_caller(app, scenario.method, path, query, scenario.body)
        call()  # warm: lazy startup, first-use caches
        profiler = Profiler(interval=0.0001)
        with profiler:
            for _ in range(args.calls):
                call()
        out = RESULTS / f"profile-{scenario.key.replace(' ', '-').replace('+', '-')}.html"
        out.write_text(profiler.output_html())
        print(f"## {scenario.title} ({args.calls} calls) -> {out.relative_to(BENCH.parent)}")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
