"""Yield dependencies on real servers (app.serve() and gunicorn -k gevent): the exit code runs
exactly once also when the client goes away mid-body, and background tasks run between the
response and the request-scoped exits, with the yielded resource still open.

``app`` below is what the servers import (``tests.test_depends_live:app``).
"""

from __future__ import annotations

import contextvars
import socket
import time
from collections import Counter
from collections.abc import Iterator
from typing import Annotated

import gevent
import pytest

from fastrapi import BackgroundTasks, Depends, FastAPI
from fastrapi.responses import StreamingResponse
from tests.servers import LiveServer, run_server, wait_until

app = FastAPI()
counts: Counter[str] = Counter()
events: list[str] = []


def resource(name: str = "r"):
    counts[f"{name} enter"] += 1
    state = {"open": True}
    try:
        yield state
    finally:
        state["open"] = False
        counts[f"{name} exit"] += 1
        events.append(f"{name} exit")


@app.get("/stream")
def stream(res: Annotated[dict, Depends(resource)]):
    def chunks() -> Iterator[bytes]:
        for _ in range(2000):
            gevent.sleep(0.001)  # a slow 128 MB stream, still going when the client leaves: the behaviour
            yield b"x" * 65536

    return StreamingResponse(chunks())


@app.get("/task")
def with_task(res: Annotated[dict, Depends(resource)], tasks: BackgroundTasks):
    def task() -> None:
        gevent.sleep(0.05)  # a task that takes a while: the exit must still wait for it
        events.append(f"task open={res['open']}")

    tasks.add_task(task)
    return "ok"


request_state: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_state", default=None)


async def scoped_state(name: str = "v"):
    """Sets a ContextVar before its yield and resets it with the token after: only possible in the same
    Context (FastAPI runs both halves in the request's)."""
    token = request_state.set(name)
    counts[f"{name} enter"] += 1
    yield
    try:
        request_state.reset(token)
        counts[f"{name} exit"] += 1
    except ValueError as exc:
        events.append(f"{name} reset failed: {exc}")
        raise


@app.get("/contextvar", dependencies=[Depends(scoped_state)])
def contextvar(tasks: BackgroundTasks, task: bool = False):
    if task:
        tasks.add_task(lambda: events.append(f"task saw {request_state.get()}"))
    return request_state.get()


@app.get("/counts")
def get_counts():
    return {"counts": dict(counts), "events": events}


@pytest.fixture(scope="module")
def server(server_kind: str) -> Iterator[LiveServer]:
    with run_server(server_kind, "tests.test_depends_live:app") as live:
        yield live


def _counts(server: LiveServer) -> dict:
    import json

    return json.loads(server.request("GET", "/counts")[2])


def _wait(server: LiveServer, key: str, value: int, timeout: float = 10.0) -> dict:
    """The counts once ``key`` reached ``value``, and 0.2 s later (a window for a second exit to show)."""
    wait_until(lambda: _counts(server)["counts"].get(key, 0) >= value, timeout,
               lambda: f"{key} >= {value}: {_counts(server)}")
    time.sleep(0.2)  # "never more" is a window, not an event: the behaviour under test
    return _counts(server)


def test_client_disconnect_mid_body_runs_the_exit_once(server: LiveServer) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(b"GET /stream?name=r HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    sock.close()  # gone long before the 128 MB body ends
    state = _wait(server, "r exit", 1)
    assert state["counts"]["r enter"] == state["counts"]["r exit"] == 1


def test_tasks_run_before_the_request_scoped_exit(server: LiveServer) -> None:
    status, _, body = server.request("GET", "/task?name=t")
    assert (status, body) == (200, b'"ok"')
    state = _wait(server, "t exit", 1)
    assert state["counts"]["t enter"] == state["counts"]["t exit"] == 1
    assert state["events"][-2:] == ["task open=True", "t exit"]


@pytest.mark.parametrize("task", [False, True])
def test_a_contextvar_set_before_yield_is_reset_after_it(server: LiveServer, task: bool) -> None:
    name = f"cv{int(task)}"
    status, _, body = server.request("GET", f"/contextvar?name={name}&task={str(task).lower()}")
    assert (status, body) == (200, f'"{name}"'.encode())
    state = _wait(server, f"{name} exit", 1)
    assert not [e for e in state["events"] if "reset failed" in e]
    if task:
        assert f"task saw {name}" in state["events"]
