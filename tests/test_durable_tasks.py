"""Durable tasks in one process: what is enqueued when, in what order, in how many round trips; TestClient
running them inline; refusals; Redis down; RQ workers (in this process) running, retrying and reporting."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.redis_server import RedisServer, redis_server  # noqa: F401  (the fixture)
from tests.servers import free_port

rq = pytest.importorskip("rq")

from fastrapi import BackgroundTasks, FastrAPI  # noqa: E402
from fastrapi.tasks import TaskNotImportable, task  # noqa: E402
from fastrapi.testclient import TestClient  # noqa: E402
from fastrapi.worker_cli import worker_class_for  # noqa: E402
from tests.apps import durable_app  # noqa: E402


@pytest.fixture
def live(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:  # noqa: F811
    """The tasks record in this test's Redis."""
    monkeypatch.setattr(durable_app, "URL", redis_server.url)
    durable_app.RAN.clear()
    durable_app.ERRORS.clear()
    yield redis_server


def work(app: FastrAPI) -> None:
    """Run the app's queue dry with an RQ worker of ``fastrapi worker``'s class, in this process."""
    queue = app.task_queue.queue  # type: ignore[union-attr]
    worker = worker_class_for(app)([queue], connection=queue.connection)
    worker.work(burst=True, with_scheduler=False)


def items(server: RedisServer, key: str) -> list[str]:
    return [value.decode() for value in server.client().lrange(key, 0, -1)]


def test_testclient_runs_durable_tasks_inline_without_redis() -> None:
    durable_app.RAN.clear()
    app = durable_app.make_app(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client = TestClient(app)
    assert client.post("/three/1").json() == {"n": 1}
    # In order, the failing one reported and not stopping the next, as in-process tasks.
    assert durable_app.RAN == [("order", "1a"), ("order", "1b"), ("local", 1), ("order", "1c")]
    assert client.post("/response/2").status_code == 200
    assert durable_app.RAN[-1] == ("response", 2)


def test_testclient_inline_passes_arguments_as_a_worker_gets_them() -> None:
    app = FastrAPI(task_queue=f"redis://127.0.0.1:{free_port()}/0")

    @app.post("/")
    def endpoint(background_tasks: BackgroundTasks) -> dict[str, str]:
        background_tasks.add_task(durable_app.record, "key", lambda: None)  # a worker could not unpickle this
        return {}

    with pytest.raises(Exception, match="pickle"):
        TestClient(app).post("/")


def test_without_run_background_tasks_the_jobs_wait_in_redis(live: RedisServer) -> None:
    app = durable_app.make_app(live.url)
    client = TestClient(app, run_background_tasks=False)
    assert client.post("/items/7").json() == {"n": 7}
    queue = app.task_queue.queue  # type: ignore[union-attr]
    assert queue.count == 1
    job = queue.jobs[0]
    assert (job.func_name, job.args) == ("tests.apps.durable_app.record", ("done", 7))
    assert job.retries_left == 2
    assert items(live, "done") == []  # nothing ran in the web process
    assert client.get("/stats").json()["queue_depth"] == 1
    work(app)
    assert items(live, "done") == ["7"]
    assert client.get("/stats").json()["queue_depth"] == 0


def test_a_requests_tasks_run_in_order_failures_not_blocking_the_next(live: RedisServer,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    app = durable_app.make_app(live.url)
    client = TestClient(app, run_background_tasks=False)
    for n in range(3):
        assert client.post(f"/three/{n}").status_code == 200
    assert app.drain(5)
    assert durable_app.RAN == [("local", 0), ("local", 1), ("local", 2)]  # the undecorated one, in this process
    with caplog.at_level(logging.ERROR, logger="fastrapi"):
        work(app)
    done = items(live, "order")
    for n in range(3):  # each request's in the order added (requests interleave: the queue is first come first served)
        assert [value for value in done if value.startswith(str(n))] == [f"{n}a", f"{n}b", f"{n}c"]
    failed = app.task_queue.queue.failed_job_registry  # type: ignore[union-attr]
    assert failed.count == 3
    assert [m for m in caplog.messages if "Background task fail(" in m] == [
        f"Background task fail('order', '{n}b') failed" for n in range(3)]
    assert items(live, "hook") == [f"fail:RuntimeError('failed on {n}b')" for n in range(3)]
    stats = app.background_stats()
    assert (stats.queue_depth, stats.queue_failed) == (0, 3)
    assert "fastrapi_background_tasks_durable_failed 3" in stats.prometheus()


def test_one_round_trip_per_request_however_many_tasks(live: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis.connection

    app = durable_app.make_app(live.url)
    client = TestClient(app, run_background_tasks=False)
    client.post("/items/0")  # the first asks the server's version (RQ caches it)
    sent: list[Any] = []
    original = redis.connection.Connection.send_packed_command

    def counting(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(command)
        original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    assert client.post("/three/1").status_code == 200
    assert len(sent) == 1  # MULTI ... EXEC: the three durable tasks, all or none
    assert client.post("/items/2").status_code == 200
    assert len(sent) == 2


def test_an_endpoint_that_raises_enqueues_nothing(live: RedisServer) -> None:
    app = durable_app.make_app(live.url)
    client = TestClient(app, run_background_tasks=False, raise_server_exceptions=False)
    assert client.post("/raises/1").status_code == 500
    assert app.task_queue.queue.count == 0  # type: ignore[union-attr]


def test_redis_down_answers_503_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    app = durable_app.make_app(f"redis://127.0.0.1:{free_port()}/0")
    client = TestClient(app, run_background_tasks=False)
    durable_app.RAN.clear()
    with caplog.at_level(logging.ERROR, logger="fastrapi"):
        for path in ("/items/1", "/response/1", "/three/1"):
            response = client.post(path)
            assert (response.status_code, response.json()) == (503, {"detail": "Task queue unavailable"})
    assert any("Task queue unavailable: record('done', 1) not enqueued" in m for m in caplog.messages)
    assert app.drain(5)
    assert durable_app.RAN == []  # the request's in-process task is dropped with its answer
    assert client.get("/stats").status_code == 200  # counts missing, not an error


def test_async_tasks_and_retries_run_on_the_worker(live: RedisServer) -> None:
    app = durable_app.make_app(live.url)
    client = TestClient(app, run_background_tasks=False)
    assert client.post("/async/3").status_code == 200
    assert client.post("/flaky/4").status_code == 200
    work(app)
    assert items(live, "async") == ["3"]
    assert items(live, "flaky") == ["4"]
    assert items(live, "flaky:attempts-seen") == ["1", "2"]
    assert items(live, "hook") == []  # it succeeded in the end: the hook is for tasks that failed for good


def _defined_in_a_function() -> Any:
    def inner() -> None: ...
    return inner


def test_functions_a_worker_cannot_import_are_refused() -> None:
    with pytest.raises(TaskNotImportable, match="lambda"):
        task(lambda: None)
    with pytest.raises(TaskNotImportable, match="module level"):
        task(retries=1)(_defined_in_a_function())

    class Local:
        def method(self) -> None: ...

    with pytest.raises(TaskNotImportable, match="not methods"):
        task(Local().method)
    with pytest.raises(TaskNotImportable, match="not methods"):
        task(functools.partial(print))
    main = _defined_in_a_function()
    main.__module__, main.__qualname__ = "__main__", "main"
    with pytest.raises(TaskNotImportable, match="__main__"):
        task(main)


def test_add_task_refuses_a_durable_function_that_its_name_no_longer_finds() -> None:
    replaced = task(durable_app.local_note)
    try:
        # A decorator applied after @task: functools.wraps copies the mark, but the name finds the original.
        wrapper = functools.wraps(replaced)(lambda *a: replaced(*a))
        with pytest.raises(TaskNotImportable, match="wrapped or replaced"):
            BackgroundTasks().add_task(wrapper, "k", 1)
    finally:
        delattr(replaced, "__fastrapi_task__")
