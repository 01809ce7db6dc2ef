"""Context variables around background tasks and the thread pool, as FastAPI has them.

A task sees the context of the request that added it (a request id set upstream, say) and
nothing a previous request's task set; a ``def`` endpoint sent to the thread pool sees what an
``async def`` dependency set before it. On fastrapi the tasks really run after the response
(``run_background_tasks=False`` inside a gevent greenlet, then ``drain``), not inline.
"""

# No ``from __future__ import annotations``: the endpoints' annotations name ``fw``, a local.
import contextvars
from typing import Any

import gevent
import pytest

pytest.importorskip("fastapi")

import fastapi
import fastapi.testclient

import fastrapi
from fastrapi.background import BackgroundRunner, BackgroundTask
from fastrapi.concurrency import run_in_threadpool
from fastrapi.testclient import TestClient

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


def build(fw: Any, seen: list[str]) -> Any:
    app = fw.FastAPI()

    def record() -> None:
        seen.append(request_id.get())

    def leak() -> None:
        request_id.set("set by a task")

    @app.get("/tag/{value}")
    async def tag(value: str, background_tasks: fw.BackgroundTasks):
        request_id.set(value)
        background_tasks.add_task(record)
        background_tasks.add_task(leak)
        return {"ok": True}

    @app.get("/untagged")
    async def untagged(background_tasks: fw.BackgroundTasks):
        background_tasks.add_task(record)
        return {"ok": True}

    async def tag_dependency() -> str:
        request_id.set("from the dependency")
        return "done"

    @app.get("/threadpool", dependencies=[fw.Depends(tag_dependency)])
    def in_threadpool():
        return {"seen": request_id.get()}

    return app


def on_fastapi(paths: list[str]) -> tuple[list[Any], list[str]]:
    seen: list[str] = []
    client = fastapi.testclient.TestClient(build(fastapi, seen))
    return [client.get(path).json() for path in paths], seen


def on_fastrapi(paths: list[str]) -> tuple[list[Any], list[str]]:
    """Served from a gevent greenlet, with the tasks left to the runner and awaited with ``drain``."""
    seen: list[str] = []
    app = build(fastrapi, seen)
    client = TestClient(app, run_background_tasks=False)

    def serve_all() -> list[Any]:
        answers = []
        for path in paths:
            answers.append(client.get(path).json())
            assert app.drain(5)
        return answers

    return gevent.spawn(serve_all).get(), seen


PATHS = ["/tag/first", "/untagged", "/tag/second", "/threadpool"]


def test_tasks_see_their_request_context_and_nothing_an_earlier_task_set() -> None:
    expected_answers, expected_seen = on_fastapi(PATHS)
    assert expected_seen == ["first", "unset", "second"]  # what FastAPI 0.165 does
    assert on_fastrapi(PATHS) == (expected_answers, expected_seen)


def test_a_def_endpoint_in_the_thread_pool_sees_what_an_async_dependency_set() -> None:
    expected, _ = on_fastapi(["/threadpool"])
    assert expected == [{"seen": "from the dependency"}]
    assert on_fastrapi(["/threadpool"])[0] == expected


def test_run_in_threadpool_passes_the_callers_context() -> None:
    def read() -> str:
        return request_id.get()

    def caller() -> tuple[str, str]:
        request_id.set("caller")
        return run_in_threadpool(read), request_id.get()

    in_thread, after = gevent.spawn(contextvars.copy_context().run, caller).get()
    assert (in_thread, after) == ("caller", "caller")


def test_bursts_beyond_the_cap_all_run_and_later_requests_still_run() -> None:
    runner = BackgroundRunner(concurrency=20)
    ran: list[tuple[int, int]] = []
    running = [0, 0]  # now, peak

    def step(request: int, index: int) -> None:
        running[0] += 1
        running[1] = max(running)
        gevent.sleep(0.001)  # a task that takes a moment, so runners overlap up to the cap: the behaviour
        running[0] -= 1
        ran.append((request, index))

    def schedule(requests: range) -> None:
        for n in requests:
            runner.schedule([BackgroundTask(step, n, 0), BackgroundTask(step, n, 1)])

    gevent.spawn(schedule, range(300)).get()
    assert runner.drain(10)
    gevent.spawn(schedule, range(300, 310)).get()  # after the burst, with runners parked
    assert runner.drain(10)
    assert sorted(ran) == [(n, i) for n in range(310) for i in (0, 1)]
    assert all(ran.index((n, 0)) < ran.index((n, 1)) for n in range(310))
    assert running[1] == 20
    assert runner.stats().succeeded == 620
