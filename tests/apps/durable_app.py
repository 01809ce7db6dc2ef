"""An app with durable tasks on RQ, for tests/test_durable_*.py. Tasks record what they did in Redis.

``FASTRAPI_TEST_REDIS`` is the queue's Redis URL (none: no task_queue, so durable tasks run in-process).
"""

from __future__ import annotations

import os
import time
from typing import Any

import redis

from fastrapi import BackgroundTasks, FastrAPI
from fastrapi.background import BackgroundTask
from fastrapi.responses import JSONResponse
from fastrapi.tasks import task

URL = os.environ.get("FASTRAPI_TEST_REDIS")
ERRORS: list[tuple[str, str]] = []


def on_error(background: BackgroundTask, exc: BaseException) -> None:
    ERRORS.append((background.name, repr(exc)))
    if URL:
        results().rpush("hook", f"{background.name}:{exc!r}")


_clients: dict[str, redis.Redis] = {}
RAN: list[tuple[str, Any]] = []  # what the tasks did, when they run in this process


def results() -> redis.Redis:
    assert URL is not None
    client = _clients.get(URL)
    if client is None:
        client = _clients[URL] = redis.Redis.from_url(URL)
    return client


def _note(key: str, value: Any) -> None:
    RAN.append((key, value))
    if URL:
        results().rpush(key, value)


@task(retries=2)
def record(key: str, value: Any) -> None:
    """The task of most tests: appends ``value`` to the list ``key``."""
    _note(key, value)


@task
def fail(key: str, value: Any) -> None:
    _note(key, value)
    raise RuntimeError(f"failed on {value}")


@task(retries=2, retry_interval=0)
def flaky(key: str, value: Any) -> None:
    """Fails on its first attempt (counted in Redis), succeeds on the next."""
    attempts = results().incr(f"{key}:attempts") if URL else 1
    _note(f"{key}:attempts-seen", attempts)
    if attempts == 1:
        raise RuntimeError("first attempt fails")
    _note(key, value)


@task(retries=2, timeout=3)
def slow(key: str, value: Any, seconds: float) -> None:
    """Notes its start, takes ``seconds``, then notes its end: a worker can be killed in between."""
    _note(f"{key}:started", value)
    time.sleep(seconds)  # the work a worker may be killed in
    _note(key, value)


async def _async_body(key: str, value: Any) -> None:
    _note(key, value)


@task
async def async_record(key: str, value: Any) -> None:
    await _async_body(key, value)


def local_note(key: str, value: Any) -> None:
    """Not durable: runs in the web process."""
    RAN.append((key, value))


def make_app(url: str | None) -> FastrAPI:
    """The app, its durable tasks queued in the Redis at ``url`` (None: no task_queue)."""
    app = FastrAPI(task_queue=url, on_background_error=on_error)

    @app.post("/items/{n}")
    def add_item(n: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(record, "done", n)
        return {"n": n}

    @app.post("/three/{n}")
    def three(n: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(record, "order", f"{n}a")
        background_tasks.add_task(fail, "order", f"{n}b")
        background_tasks.add_task(local_note, "local", n)
        background_tasks.add_task(record, "order", f"{n}c")
        return {"n": n}

    @app.post("/response/{n}")
    def with_response(n: int) -> JSONResponse:
        return JSONResponse({"n": n}, background=BackgroundTask(record, "response", n))

    @app.post("/raises/{n}")
    def raises(n: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(record, "raised", n)
        raise RuntimeError("the endpoint failed")

    @app.post("/flaky/{n}")
    def add_flaky(n: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(flaky, "flaky", n)
        return {"n": n}

    @app.post("/slow/{n}")
    def add_slow(n: int, background_tasks: BackgroundTasks, seconds: float = 0.0) -> dict[str, int]:
        background_tasks.add_task(slow, "slow", n, seconds)
        return {"n": n}

    @app.post("/async/{n}")
    def add_async(n: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(async_record, "async", n)
        return {"n": n}

    @app.get("/stats")
    def stats() -> dict[str, float]:
        return app.background_stats().as_dict()

    return app


app = make_app(URL)
