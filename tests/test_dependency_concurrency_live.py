"""``Depends(max_concurrency=2)`` on real servers: eight requests at once, and the dependency never
sees more than two calls inside, whether its requests wait as greenlets of an unpatched server (the
sync dependency then runs in a pool thread), of a monkey-patched one (inline), or of gunicorn's
gevent workers, and whether it is sync, async (on the bridge loop) or a ``yield`` dependency that
holds its slot until its exit code has run, after the response.

``app`` below is what the servers import (``tests.test_dependency_concurrency_live:app``).
"""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest

from fastrapi import Depends, FastAPI
from tests.servers import GEVENT, SERVE, WORKER, LiveServer, run_server, wait_until

HOLD = 0.1  # seconds each call stays inside the limited dependency
REQUESTS = 8

app = FastAPI()
_lock = threading.Lock()
_stats: dict[str, list[int]] = {}  # name -> [inside now, most inside at once, calls]


def _enter(name: str) -> None:
    with _lock:
        stats = _stats.setdefault(name, [0, 0, 0])
        stats[0] += 1
        stats[1] = max(stats[1], stats[0])
        stats[2] += 1


def _leave(name: str) -> None:
    with _lock:
        _stats[name][0] -= 1


def sync_dependency() -> None:
    _enter("sync")
    time.sleep(HOLD)
    _leave("sync")


async def async_dependency() -> None:
    _enter("async")
    await asyncio.sleep(HOLD)
    _leave("async")


def gen_dependency() -> Iterator[None]:
    _enter("gen")
    try:
        yield  # the endpoint sleeps; the slot is held until after the response
    finally:
        time.sleep(HOLD / 2)
        _leave("gen")


async def agen_dependency() -> AsyncIterator[None]:
    _enter("agen")
    try:
        yield
    finally:
        await asyncio.sleep(HOLD / 2)
        _leave("agen")


Sync = Annotated[None, Depends(sync_dependency, max_concurrency=2)]
Async = Annotated[None, Depends(async_dependency, max_concurrency=2)]
Gen = Annotated[None, Depends(gen_dependency, max_concurrency=2)]
Agen = Annotated[None, Depends(agen_dependency, scope="function", max_concurrency=2)]


@app.get("/sync")
def sync_route(_: Sync) -> str:
    return "ok"


@app.get("/async")
async def async_route(_: Async) -> str:
    return "ok"


@app.get("/gen")
def gen_route(_: Gen) -> str:
    time.sleep(HOLD / 2)
    return "ok"


@app.get("/gen-async")  # the same declaration from an async endpoint: one limit for both routes
async def gen_async_route(_: Gen) -> str:
    await asyncio.sleep(HOLD / 2)
    return "ok"


@app.get("/agen")
async def agen_route(_: Agen) -> str:
    await asyncio.sleep(HOLD / 2)
    return "ok"


@app.get("/stats")
def stats() -> dict[str, list[int]]:
    with _lock:
        return dict(_stats)


# (server kind, monkey-patched): app.serve() with and without patching, gunicorn's gevent worker, fastrapi run's.
SERVERS = [(SERVE, False), (SERVE, True), (GEVENT, True), (WORKER, True)]


@pytest.fixture(scope="module", params=SERVERS, ids=lambda s: f"{s[0]}{'-patched' if s[1] and s[0] == SERVE else ''}")
def server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    kind, patched = request.param
    with run_server(kind, "tests.test_dependency_concurrency_live:app", patched=patched and kind == SERVE) as live:
        yield live


def _read_stats(server: LiveServer) -> dict[str, list[int]]:
    result: dict[str, list[int]] = json.loads(server.request("GET", "/stats")[2])
    return result


@pytest.mark.parametrize(("name", "paths"), [
    ("sync", ["/sync"]), ("async", ["/async"]), ("gen", ["/gen", "/gen-async"]), ("agen", ["/agen"]),
])
def test_at_most_two_calls_are_inside_at_once(server: LiveServer, name: str, paths: list[str]) -> None:
    answers: list[tuple[int, bytes]] = []

    def send(path: str) -> None:
        status, _, body = server.request("GET", path, timeout=20)
        answers.append((status, body))

    threads = [threading.Thread(target=send, args=(paths[i % len(paths)],)) for i in range(REQUESTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - started
    assert answers == [(200, b'"ok"')] * REQUESTS
    # The exit code of a request-scoped yield dependency runs after its response: wait for the last one.
    stats = wait_until(lambda: (s := _read_stats(server)) and s[name][2] == REQUESTS and s[name][0] == 0 and s,
                       10, lambda: f"every {name} call to leave: {_read_stats(server)}")
    assert stats[name][1] == 2, stats  # two at once, never more
    assert elapsed >= (REQUESTS / 2 - 1) * HOLD  # four rounds of two (the last one's exit after its answer)
