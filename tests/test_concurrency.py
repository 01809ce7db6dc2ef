"""Where endpoint code runs: sync, async without awaits (no loop), async with awaits (bridge loop)."""

from __future__ import annotations

import asyncio
import threading
import time

import gevent

from fastrapi import FastrAPI
from fastrapi.concurrency import can_suspend, run_in_threadpool
from fastrapi.testclient import TestClient


async def never_awaits() -> int:
    return 1


async def awaits() -> int:
    await asyncio.sleep(0)
    return 2


async def iterates() -> list[int]:
    async def gen():
        yield 1

    return [x async for x in gen()]


def test_bytecode_scan_tells_which_coroutines_can_suspend() -> None:
    assert not can_suspend(never_awaits)
    assert can_suspend(awaits)
    assert can_suspend(iterates)


def test_async_endpoints_with_and_without_awaits() -> None:
    app = FastrAPI()
    loops: list[object] = []

    @app.get("/plain")
    async def plain():
        return {"loop": asyncio._get_running_loop() is not None}

    @app.get("/awaiting")
    async def awaiting():
        await asyncio.sleep(0.01)
        loops.append(asyncio.get_running_loop())
        return {"loop": True}

    client = TestClient(app)
    assert client.get("/plain").json() == {"loop": False}
    for _ in range(3):
        assert client.get("/awaiting").json() == {"loop": True}
    assert len(set(map(id, loops))) == 1, "one loop serves every request"


def test_async_endpoints_run_concurrently_under_gevent() -> None:
    app = FastrAPI()

    @app.get("/nap")
    async def nap():
        await asyncio.sleep(0.3)
        return 1

    client = TestClient(app)
    started = time.monotonic()
    jobs = [gevent.spawn(client.get, "/nap") for _ in range(5)]
    gevent.joinall(jobs, raise_error=True)
    assert all(job.value.status_code == 200 for job in jobs)
    assert time.monotonic() - started < 1.2


def test_sync_endpoints_go_to_a_thread_when_not_patched() -> None:
    app = FastrAPI()

    @app.get("/where")
    def where():
        return {"main": threading.current_thread() is threading.main_thread()}

    client = TestClient(app)
    assert client.get("/where").json() == {"main": True}  # a plain thread calls us: run inline
    job = gevent.spawn(client.get, "/where")  # a gevent greenlet, unpatched: the thread pool
    assert job.get().json() == {"main": False}


def test_run_in_threadpool_from_a_greenlet() -> None:
    result = gevent.spawn(run_in_threadpool, lambda: threading.current_thread() is threading.main_thread()).get()
    assert result is False
