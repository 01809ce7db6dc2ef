"""``app.serve()`` from threads: several apps at once, one after the other, the same app again.

Each OS thread that serves has its own gevent hub, and a gevent thread pool, greenlet or Waiter
belongs to the hub that made it. Every app here answers a ``def`` endpoint (on a pool thread: this
process is not patched), an ``async def`` that awaits (on the bridge loop), a route with a blocking
background task, and body reads: by the endpoint's parameters, by a ``def`` endpoint on its pool
thread, and by an ``async def`` on the bridge loop.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from typing import Any

import gevent
import gevent.event
from pydantic import BaseModel

from fastrapi import BackgroundTasks, FastrAPI, Request
from tests.servers import wait_until


class Item(BaseModel):
    name: str
    size: int


def make_app(name: str) -> FastrAPI:
    app = FastrAPI()
    app.state.done = []  # what the tasks did, in order

    def slow_record(value: str, seconds: float) -> None:
        time.sleep(seconds)  # blocking: on a task thread of the serving hub
        app.state.done.append(value)

    @app.get("/sync")
    def sync():
        return {"app": name, "main": threading.current_thread() is threading.main_thread()}

    @app.get("/async")
    async def awaiting():
        await asyncio.sleep(0.01)
        return {"app": name}

    @app.post("/task")
    def task(value: str, background_tasks: BackgroundTasks, seconds: float = 0.01):
        background_tasks.add_task(slow_record, value, seconds)
        return {"app": name}

    @app.post("/item")
    def item(payload: Item):
        return {"app": name, "name": payload.name, "size": payload.size}

    @app.post("/stream")
    def stream(request: Request):
        return {"app": name, "size": sum(len(chunk) for chunk in request.stream())}

    @app.post("/async-body")
    async def async_body(request: Request):
        body = await request.body()
        await asyncio.sleep(0)
        return {"app": name, "size": len(body)}

    return app


class Served:
    """``app.serve()`` in a thread of its own, on a free port, until ``close()``."""

    def __init__(self, app: FastrAPI) -> None:
        self.app = app
        self.port = 0
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "serve() never got ready"
        assert self.error is None, self.error

    def _serve(self) -> None:
        # The stop event and its hub belong to this thread; close() sets it from here too.
        self._hub = gevent.get_hub()
        self._stop = gevent.event.Event()
        try:
            self.app.serve("127.0.0.1", 0, stop_event=self._stop, on_ready=self._on_ready, graceful_timeout=5)
        except BaseException as exc:
            self.error = exc
        finally:
            self._ready.set()

    def _on_ready(self, address: tuple[str, int]) -> None:
        self.port = address[1]
        self._ready.set()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if response.status == 200 else raw
        finally:
            conn.close()

    def stop(self) -> None:
        """Ask serve() to stop, from its own thread; do not wait."""
        self._hub.loop.run_callback_threadsafe(self._stop.set)

    def close(self) -> None:
        self.stop()
        self._thread.join(10)
        assert not self._thread.is_alive(), "serve() did not stop"
        assert self.error is None, repr(self.error)


def answers_every_route(served: Served, name: str) -> None:
    body = json.dumps({"name": "x", "size": 3}).encode()
    assert served.request("GET", "/sync") == (200, {"app": name, "main": False})
    assert served.request("GET", "/async") == (200, {"app": name})
    assert served.request("POST", "/item", body) == (200, {"app": name, "name": "x", "size": 3})
    assert served.request("POST", "/stream", b"a" * 70_000) == (200, {"app": name, "size": 70_000})
    assert served.request("POST", "/async-body", b"b" * 1000) == (200, {"app": name, "size": 1000})
    assert served.request("POST", f"/task?value={name}") == (200, {"app": name})
    wait_until(lambda: name in served.app.state.done, 5, f"the background task of {name}")


def test_two_apps_served_from_two_threads_at_once() -> None:
    first, second = Served(make_app("first")), Served(make_app("second"))
    try:
        failures: list[BaseException] = []

        def check(served: Served, name: str) -> None:
            try:
                for _ in range(3):
                    answers_every_route(served, name)
            except BaseException as exc:
                failures.append(exc)

        clients = [threading.Thread(target=check, args=args) for args in ((first, "first"), (second, "second"))]
        for client in clients:
            client.start()
        for client in clients:
            client.join(30)
        assert not failures, failures
    finally:
        first.close()
        second.close()


def test_a_third_app_in_a_new_thread_after_two_stopped() -> None:
    for name in ("first", "second"):
        served = Served(make_app(name))
        answers_every_route(served, name)
        served.close()
    third = Served(make_app("third"))
    try:
        answers_every_route(third, "third")
    finally:
        third.close()


def test_one_app_served_again_from_another_thread_drains_its_tasks() -> None:
    """The fixture pattern: one module-level app, a new serving thread per test; each stop waits for
    the task still sleeping (drain in that thread's hub) before shutdown."""
    app = make_app("again")
    for run in range(3):
        served = Served(app)
        answers_every_route(served, "again")
        assert served.request("POST", f"/task?value=late-{run}&seconds=0.3")[0] == 200
        served.close()
        assert app.state.done[-1] == f"late-{run}"


def test_one_app_served_from_two_threads_at_once_stops_in_both_with_tasks_running() -> None:
    """Both stops drain at once, each in its own hub, while a task of each thread still sleeps."""
    app = make_app("shared")
    first, second = Served(app), Served(app)
    try:
        for served in (first, second):
            answers_every_route(served, "shared")
        for run, served in enumerate((first, second)):
            assert served.request("POST", f"/task?value=late-{run}&seconds=0.5")[0] == 200
    finally:
        first.stop()
        second.stop()
        first.close()
        second.close()
    assert {"late-0", "late-1"} <= set(app.state.done)
