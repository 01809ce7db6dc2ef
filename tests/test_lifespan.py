"""Lifespan on WSGI: once per process before the first request, shutdown once at exit, on every server."""

from __future__ import annotations

import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import gevent
import pytest

from fastrapi import FastrAPI, Request
from fastrapi.testclient import TestClient
from tests.servers import run_server, stop, wait_until
from tests.test_cli import events


def test_a_sync_lifespan_and_its_state() -> None:
    log: list[str] = []

    @contextmanager
    def lifespan(app: FastrAPI):
        log.append("up")
        yield {"db": "connection"}
        log.append("down")

    app = FastrAPI(lifespan=lifespan)

    @app.get("/")
    def root(request: Request):
        request.state.db += "!"  # per request: the next one starts again from the lifespan's state
        return request.state.db

    with TestClient(app) as client:
        assert [client.get("/").json() for _ in range(2)] == ["connection!", "connection!"]
        assert log == ["up"]
    assert log == ["up", "down"]


def test_a_failed_startup_answers_503_and_is_retried() -> None:
    attempts: list[int] = []

    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database not up yet")

    app = FastrAPI(on_startup=[flaky])

    @app.get("/")
    def root():
        return "up"

    client = TestClient(app)
    first = client.get("/")
    assert (first.status_code, first.text) == (503, "Service Unavailable")
    assert client.get("/").json() == "up"
    assert len(attempts) == 2


def test_concurrent_first_requests_run_startup_once() -> None:
    starts: list[int] = []

    def slow_startup() -> None:
        starts.append(1)
        gevent.sleep(0.05)  # a slow startup (the behaviour under test): other requests arrive meanwhile

    app = FastrAPI(on_startup=[slow_startup])

    @app.get("/")
    def root():
        return len(starts)

    def call() -> bytes:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
                   "wsgi.url_scheme": "http", "QUERY_STRING": ""}
        return b"".join(app(environ, lambda status, headers, exc_info=None: None))

    answers = [g.get() for g in [gevent.spawn(call) for _ in range(10)]]
    assert answers == [b"1"] * 10


def test_startup_once_and_shutdown_on_sigterm(server_kind: str, tmp_path: Path) -> None:
    """app.serve() starts before binding; plain gunicorn (no hooks) starts on the first request and
    shuts down from the exit hook."""
    log = tmp_path / "events.txt"
    with run_server(server_kind, "tests.apps.lifespan_app:app", env={"FASTRAPI_TEST_LIFESPAN_LOG": str(log)}) as live:
        for _ in range(3):
            status, headers, _ = live.request("GET", "/pid")
            assert (status, headers["x-middleware"]) == (200, "bridged")
        assert stop(live.process) == 0
    wait_until(lambda: bool(events(log)) and events(log)[-1][0] == "shutdown", 5,
               lambda: f"shutdown recorded: {events(log)}\n{live.output()}")
    names = [event for event, _ in events(log)]
    assert names.count("startup") == 1 and names.count("shutdown") == 1, names


def test_startup_failure_under_serve_is_an_error(tmp_path: Path) -> None:
    """Before binding, a failing startup stops app.serve() (it never serves broken)."""
    app = FastrAPI(on_startup=[lambda: 1 / 0])
    started = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        app.serve("127.0.0.1", 0)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("module", ["fastapi", "fastrapi"])
def test_bare_generator_functions_as_lifespans(module: str) -> None:
    """A lifespan written without @contextmanager (a plain or async generator function) runs, on the app and
    on an included router, without a warning (as FastAPI 0.165)."""
    import importlib

    framework = importlib.import_module(module)
    log: list[str] = []

    def app_lifespan(app: object):  # type: ignore[no-untyped-def]
        log.append("app up")
        yield {"from_app": True}
        log.append("app down")

    async def router_lifespan(app: object):  # type: ignore[no-untyped-def]
        log.append("router up")
        yield {"from_router": True}
        log.append("router down")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        router = framework.APIRouter(lifespan=router_lifespan)
        app = framework.FastAPI(lifespan=app_lifespan)
        app.include_router(router)
    assert not caught

    def state(request):  # type: ignore[no-untyped-def]
        return {"app": request.state.from_app, "router": request.state.from_router}

    state.__annotations__ = {"request": framework.Request}  # this module's annotations are strings
    app.get("/state")(state)

    testclient = importlib.import_module(f"{module}.testclient")
    with testclient.TestClient(app) as client:
        assert client.get("/state").json() == {"app": True, "router": True}
    assert log == ["app up", "router up", "router down", "app down"]


@pytest.mark.parametrize("module", ["fastapi", "fastrapi"])
def test_a_module_level_client_is_entered_again_in_each_test(module: str) -> None:
    """FastAPI's own tests keep one TestClient and write ``with client:`` in each test; it stays usable, each
    block runs the lifespan, and ``client.app_state`` is what the lifespan yielded."""
    import contextlib
    import importlib

    framework = importlib.import_module(module)
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: object):  # type: ignore[no-untyped-def]
        log.append("up")
        yield {"ready": True}
        log.append("down")

    app = framework.FastAPI(lifespan=lifespan)
    app.get("/")(lambda: {"ok": True})
    client = importlib.import_module(f"{module}.testclient").TestClient(app)
    for _ in range(2):
        with client:
            assert client.get("/").json() == {"ok": True}
            assert client.app_state == {"ready": True}
    assert log == ["up", "down", "up", "down"]


@pytest.mark.parametrize("module", ["fastapi", "fastrapi"])
def test_the_app_s_lifespan_state_wins_over_a_router_s(module: str) -> None:
    import contextlib
    import importlib

    framework = importlib.import_module(module)

    @contextlib.asynccontextmanager
    async def app_lifespan(app: object):  # type: ignore[no-untyped-def]
        yield {"overridden": "app", "app_only": 1}

    @contextlib.asynccontextmanager
    async def router_lifespan(app: object):  # type: ignore[no-untyped-def]
        yield {"overridden": "router", "router_only": 2}

    app = framework.FastAPI(lifespan=app_lifespan)
    app.include_router(framework.APIRouter(lifespan=router_lifespan))
    with importlib.import_module(f"{module}.testclient").TestClient(app) as client:
        assert client.app_state == {"overridden": "app", "app_only": 1, "router_only": 2}
