"""Per-request cost of parameter handling, in-process: fastrapi against FastAPI and Falcon, in one run.

Each app is called directly, no server and no sockets: WSGI apps (fastrapi, Falcon) with a prepared environ
(a fresh copy and ``wsgi.input`` per call), FastAPI through a minimal ASGI driver (one event loop; every call
awaited inside one coroutine, so the loop's own cost is not counted). Every answer is checked first.

Usage: ``python bench/params/run.py [--number 3000] [--repeats 7]``; writes bench/params/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from bench.params import apps  # noqa: E402

SCENARIOS = {
    "path+query": ("GET", "/items/42", "q=foo&limit=5", b"", {"item_id": 42, "q": "foo", "limit": 5}),
    "pydantic body": ("POST", "/items", "", apps.ITEM_JSON, json.loads(apps.ITEM_JSON)),
    "422 bad query": ("GET", "/items/x", "limit=y", b"", None),
}


def environ(method: str, path: str, query: str, body: bytes) -> dict[str, Any]:
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "*/*",
           "HTTP_USER_AGENT": "bench", "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
           "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False}
    if body:
        env.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    return env


def wsgi_caller(app: Any, method: str, path: str, query: str, body: bytes) -> Callable[[], tuple[int, bytes]]:
    base = environ(method, path, query, body)
    status: list[str] = []

    def start_response(st: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(st)
        return lambda data: None

    def call() -> tuple[int, bytes]:
        env = dict(base)
        env["wsgi.input"] = io.BytesIO(body)
        status.clear()
        result = app(env, start_response)
        try:
            out = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        return int(status[0][:3]), out

    return call


def asgi_runner(app: Any, method: str, path: str, query: str, body: bytes) -> Callable[[int], tuple[int, bytes]]:
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*"), (b"user-agent", b"bench")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    loop = asyncio.new_event_loop()

    async def one() -> tuple[int, bytes]:
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()
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

    async def many(n: int) -> tuple[int, bytes]:
        result = (0, b"")
        for _ in range(n):
            result = await one()
        return result

    return lambda n: loop.run_until_complete(many(n))


def time_us(run: Callable[[int], Any], number: int, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter_ns()
        run(number)
        samples.append((time.perf_counter_ns() - start) / number / 1000)
    return statistics.median(samples)


def measure(kind: str, app: Any, scenario: str, number: int, repeats: int) -> float:
    method, path, query, body, expected = SCENARIOS[scenario]
    if kind == "wsgi":
        call = wsgi_caller(app, method, path, query, body)

        def run(n: int) -> tuple[int, bytes]:
            result = (0, b"")
            for _ in range(n):
                result = call()
            return result
    else:
        run = asgi_runner(app, method, path, query, body)
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
