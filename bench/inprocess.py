"""Framework cost without a server: each app is called in-process with a prepared request, µs per request.

WSGI apps get a prepared environ (a fresh copy and ``wsgi.input`` per call); FastAPI gets the equivalent ASGI
scope through a minimal driver (one event loop, all calls inside one coroutine). Scenarios 1-3 of
bench/frameworks/common.py. Usage: ``python bench/inprocess.py [--repeats 7] [--only fastrapi,flask]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import io
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.frameworks.common import SCENARIOS, Scenario  # noqa: E402

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
Call = Callable[[], tuple[int, bytes]]


def environ_for(s: Scenario) -> dict[str, Any]:
    path, _, query = s.path.partition("?")
    environ = {
        "REQUEST_METHOD": s.method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "*/*", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if s.body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(s.body)))
    return environ


def wsgi_call(app: Callable[..., Iterable[bytes]], s: Scenario) -> Call:
    base = environ_for(s)
    status: list[str] = []

    def start_response(st: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        status.append(st)
        return lambda data: None

    def call() -> tuple[int, bytes]:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(s.body)
        status.clear()
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(status[0][:3]), body

    return call


def asgi_scope(s: Scenario) -> dict[str, Any]:
    path, _, query = s.path.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*")]
    if s.body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(s.body)).encode())]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": s.method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}


async def asgi_request(app: Callable[..., Awaitable[None]], scope: dict[str, Any], body: bytes) -> tuple[int, bytes]:
    """One request through ``app``: the whole body in one message, the answer collected."""
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # no disconnect while the app runs
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(dict(scope), receive, send)
    return status, b"".join(chunks)


def time_calls(call: Call, number: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean µs per call over ``number`` calls."""
    samples = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter_ns()
        for _ in range(number):
            call()
        samples.append((time.perf_counter_ns() - start) / number / 1000)
    return statistics.median(samples)


def measure(kind: str, app: Any, s: Scenario, number: int, repeats: int) -> float:
    """Check one answer, warm up, then time; µs per request."""
    if kind == "wsgi":
        call = wsgi_call(app, s)
        check = call
        timed = lambda: time_calls(call, number, repeats)  # noqa: E731
    else:
        scope = asgi_scope(s)
        loop = asyncio.new_event_loop()

        async def timed_async() -> float:
            samples = []
            for _ in range(repeats):
                gc.collect()
                start = time.perf_counter_ns()
                for _ in range(number):
                    await asgi_request(app, scope, s.body)
                samples.append((time.perf_counter_ns() - start) / number / 1000)
            return statistics.median(samples)

        check = lambda: loop.run_until_complete(asgi_request(app, scope, s.body))  # noqa: E731
        timed = lambda: loop.run_until_complete(timed_async())  # noqa: E731
    status, body = check()
    if status != 200 or json.loads(body) != s.expected:
        raise RuntimeError(f"{s.method} {s.path} answered {status} {body[:100]!r}")
    for _ in range(max(1, number // 5)):
        check()
    return timed()


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
