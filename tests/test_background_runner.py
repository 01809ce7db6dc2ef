"""Background tasks: order, isolation of failures, the error hook, async tasks, inline under TestClient."""

from __future__ import annotations

import logging
import threading
import time

import gevent
import pytest

from fastrapi import BackgroundTasks, FastrAPI
from fastrapi.background import BackgroundRunner, BackgroundTask
from fastrapi.responses import JSONResponse
from fastrapi.testclient import TestClient
from tests.servers import wait_until


def test_tasks_run_in_order_and_a_failure_does_not_stop_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    failures: list[tuple[str, str]] = []

    def fails(x: int) -> None:
        raise ValueError("no good")

    async def async_task(name: str) -> None:
        seen.append(name)

    app = FastrAPI(on_background_error=lambda task, exc: failures.append((task.name, str(exc))))

    @app.post("/action")
    def action(background_tasks: BackgroundTasks):
        background_tasks.add_task(seen.append, "first")
        background_tasks.add_task(fails, 42)
        background_tasks.add_task(async_task, "third")
        return {"ok": True}

    with caplog.at_level(logging.ERROR, logger="fastrapi"):
        assert TestClient(app).post("/action").json() == {"ok": True}
    assert seen == ["first", "third"]
    assert failures == [("test_tasks_run_in_order_and_a_failure_does_not_stop_the_rest.<locals>.fails", "no good")]
    record = next(r for r in caplog.records if "failed" in r.getMessage())
    assert "fails(42)" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is ValueError


def test_injected_tasks_and_the_response_background_all_run() -> None:
    seen: list[str] = []
    app = FastrAPI()

    @app.get("/both")
    def both(background_tasks: BackgroundTasks):
        background_tasks.add_task(seen.append, "injected")
        return JSONResponse({"ok": 1}, background=BackgroundTask(seen.append, "response"))

    TestClient(app).get("/both")
    assert seen == ["injected", "response"]


def test_tasks_of_a_failed_endpoint_do_not_run() -> None:
    seen: list[str] = []
    app = FastrAPI()

    @app.get("/fails")
    def fails(background_tasks: BackgroundTasks):
        background_tasks.add_task(seen.append, "never")
        raise RuntimeError("endpoint failed")

    assert TestClient(app, raise_server_exceptions=False).get("/fails").status_code == 500
    assert seen == []


def test_without_inline_mode_tasks_run_after_the_call_returns() -> None:
    release, done = threading.Event(), threading.Event()
    app = FastrAPI()

    def slow() -> None:
        release.wait(5)  # unpatched: in a thread of the pool, so the hub keeps serving
        done.set()

    @app.get("/later")
    def later(background_tasks: BackgroundTasks):
        background_tasks.add_task(slow)
        return 1

    response = gevent.spawn(TestClient(app, run_background_tasks=False).get, "/later").get()
    assert response.status_code == 200
    assert not done.is_set()
    release.set()
    assert app.drain(5)
    assert done.is_set()


def test_outside_gevent_tasks_run_on_a_worker_thread() -> None:
    runner = BackgroundRunner()
    threads: list[str] = []
    runner.schedule([BackgroundTask(lambda: threads.append(threading.current_thread().name))])
    assert runner.drain(5)
    assert threads and threads[0].startswith("fastrapi-bg")


def test_drain_names_the_tasks_still_running_at_the_deadline(caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()  # the tasks run on the pool's threads (this process is not patched)

    def slow_report() -> None:
        release.wait(5)

    runner = BackgroundRunner()
    gevent.spawn(runner.schedule, [BackgroundTask(slow_report)]).join()
    with caplog.at_level(logging.WARNING, logger="fastrapi"):
        assert runner.drain(0.05) is False  # the deadline passes: the behaviour under test
    assert "slow_report" in caplog.text
    release.set()
    assert runner.drain(5)


def test_the_cap_limits_concurrent_requests_and_waiting_ones_keep_their_order() -> None:
    runner = BackgroundRunner(concurrency=2)
    running: list[int] = []
    peak: list[int] = [0]
    started: list[int] = []
    release = threading.Event()  # the tasks run on the pool's threads (this process is not patched)

    def work(n: int) -> None:
        started.append(n)
        running.append(n)
        peak[0] = max(peak[0], len(running))
        release.wait(5)
        running.remove(n)

    def schedule_all() -> None:
        for n in range(6):
            runner.schedule([BackgroundTask(work, n)])

    gevent.spawn(schedule_all).join()
    wait_until(lambda: len(running) == 2, 5, lambda: f"two tasks running, not {running}")
    stats = runner.stats()
    assert (stats.running, stats.queued) == (2, 4)
    release.set()
    assert runner.drain(5)
    assert peak[0] == 2
    assert started == list(range(6))


def test_counters_count_tasks_and_their_outcomes() -> None:
    runner = BackgroundRunner()

    def fails() -> None:
        raise RuntimeError("x")

    gevent.spawn(runner.schedule, [BackgroundTask(lambda: None), BackgroundTask(fails), BackgroundTask(print)]).join()
    assert runner.drain(5)
    stats = runner.stats()
    assert (stats.queued, stats.running, stats.succeeded, stats.failed) == (0, 0, 2, 1)
    assert stats.seconds_total >= stats.seconds_max > 0
    text = stats.prometheus()
    assert 'fastrapi_background_tasks_total{outcome="failed"} 1' in text
    assert "fastrapi_background_tasks_seconds_count 3" in text


def test_the_app_exposes_its_counters() -> None:
    app = FastrAPI(background_concurrency=3)

    @app.get("/")
    def index(background_tasks: BackgroundTasks):
        background_tasks.add_task(lambda: None)
        return {}

    client = TestClient(app)
    for _ in range(4):
        client.get("/")
    assert app.background_stats().succeeded == 4
    assert app.background_runner.concurrency == 3


def test_blocking_tasks_run_on_background_threads_of_their_own() -> None:
    """Unpatched, in a gevent greenlet: at most ``background_threads`` tasks block at once, and a
    ``def`` request meanwhile gets a thread of the endpoints' pool at once."""
    app = FastrAPI(background_threads=2)
    running: list[int] = []
    peak = [0]
    lock = threading.Lock()
    release = threading.Event()

    def blocks() -> None:
        with lock:
            running.append(1)
            peak[0] = max(peak[0], len(running))
        release.wait(5)  # blocking: holds its background thread until the test lets go
        with lock:
            running.pop()

    @app.post("/queue")
    def queue(background_tasks: BackgroundTasks):
        background_tasks.add_task(blocks)
        return 1

    @app.get("/hello")
    def hello():
        return 2

    client = TestClient(app, run_background_tasks=False)
    gevent.joinall([gevent.spawn(client.post, "/queue") for _ in range(4)], raise_error=True)
    wait_until(lambda: len(running) == 2, 5, lambda: f"both background threads blocked, not {len(running)}")
    started = time.monotonic()
    assert gevent.spawn(client.get, "/hello").get().json() == 2
    assert time.monotonic() - started < 0.1
    release.set()
    assert app.drain(5)
    assert peak[0] == 2
    assert app.background_runner.threads == 2
