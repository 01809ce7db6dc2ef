"""The in-process harness every bench/ script shares: call an app with no server and no sockets.

WSGI apps get a prepared environ (a fresh copy and ``wsgi.input`` per call); ASGI apps (FastAPI) go
through a minimal driver (one event loop; every call awaited inside one coroutine, so the loop's own
cost is not counted).
"""

from __future__ import annotations

import asyncio
import gc
import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

Runner = Callable[[int], tuple[int, bytes]]


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


def runner(kind: str, app: Any, method: str, path: str, query: str, body: bytes) -> Runner:
    """``run(n)`` makes ``n`` requests and returns the last ``(status, body)``; ``kind`` is wsgi or asgi."""
    if kind != "wsgi":
        return asgi_runner(app, method, path, query, body)
    call = wsgi_caller(app, method, path, query, body)

    def run(n: int) -> tuple[int, bytes]:
        result = (0, b"")
        for _ in range(n):
            result = call()
        return result

    return run
