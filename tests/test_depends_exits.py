"""A ``yield`` dependency's exit code runs exactly once per request, whatever happens, at the time
FastAPI runs it; plans are made when routes are added; the plan describes the tree (for OpenAPI)."""

import asyncio
import gc
import inspect
import logging
from collections import Counter
from typing import Annotated, Any

import pytest
import webtest

from fastrapi import BackgroundTasks, Depends, FastAPI, HTTPException, Security
from fastrapi.dependencies.graph import DependencyScopeError
from fastrapi.security import OAuth2PasswordBearer, SecurityScopes
from fastrapi.testclient import TestClient


def tracked_app() -> tuple[FastAPI, Counter[str], list[str]]:
    """An app whose yield dependencies count their entries and exits; ``log`` keeps the order."""
    app = FastAPI()
    counts: Counter[str] = Counter()
    log: list[str] = []

    def resource():
        counts["enter"] += 1
        state = {"open": True}
        try:
            yield state
        finally:
            state["open"] = False
            counts["exit"] += 1
            log.append("exit")

    async def async_resource():
        counts["enter"] += 1
        await asyncio.sleep(0)  # a real suspension: runs on the asyncio bridge
        try:
            yield "async"
        finally:
            await asyncio.sleep(0)
            counts["exit"] += 1

    def early():
        counts["enter"] += 1
        try:
            yield "early"
        finally:
            counts["exit"] += 1
            log.append("early exit")

    @app.get("/ok")
    def ok(res: Annotated[dict, Depends(resource)], other: Annotated[str, Depends(async_resource)],
           first: Annotated[str, Depends(early, scope="function")], tasks: BackgroundTasks):
        tasks.add_task(lambda: log.append(f"task open={res['open']}"))
        log.append("endpoint")
        return {"open": res["open"]}

    @app.get("/http-error")
    def http_error(res: Annotated[dict, Depends(resource)], tasks: BackgroundTasks):
        tasks.add_task(log.append, "never")
        raise HTTPException(404, "nope")

    @app.get("/invalid")
    def invalid(res: Annotated[dict, Depends(resource)], n: int):
        return n

    @app.get("/crash")
    async def crash(res: Annotated[dict, Depends(resource)], other: Annotated[str, Depends(async_resource)]):
        raise ValueError("crash")

    def broken_exit():
        counts["enter"] += 1
        yield 1
        counts["exit"] += 1
        raise RuntimeError("exit code failed")

    @app.get("/broken-exit")
    def broken(value: Annotated[int, Depends(broken_exit)], res: Annotated[dict, Depends(resource)]):
        return value

    def swallowing():
        counts["enter"] += 1
        try:
            yield 1
        except Exception:
            counts["exit"] += 1

    @app.get("/swallowed")
    def swallowed(value: Annotated[int, Depends(swallowing)], res: Annotated[dict, Depends(resource)]):
        raise ValueError("swallowed below")

    return app, counts, log


@pytest.mark.parametrize(("url", "status", "entered"), [
    ("/ok", 200, 3), ("/http-error", 404, 1), ("/invalid?n=x", 422, 1), ("/crash", 500, 2),
    ("/broken-exit", 200, 2), ("/swallowed", 500, 2),
])
def test_exit_code_runs_once_under_testclient(url: str, status: int, entered: int) -> None:
    app, counts, _ = tracked_app()
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get(url).status_code == status
    assert counts == {"enter": entered, "exit": entered}


@pytest.mark.parametrize(("url", "status"), [("/ok", 200), ("/http-error", 404), ("/invalid?n=x", 422),
                                             ("/crash", 500), ("/swallowed", 500)])
def test_exit_code_runs_once_under_webtest(url: str, status: int) -> None:
    app, counts, _ = tracked_app()
    assert webtest.TestApp(app).get(url, expect_errors=True).status_int == status
    assert counts["enter"] == counts["exit"] > 0


def test_order_endpoint_function_exit_response_tasks_request_exit() -> None:
    app, _, log = tracked_app()
    TestClient(app).get("/ok")
    assert log == ["endpoint", "early exit", "task open=True", "exit"]


def test_an_exit_failing_after_the_response_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    app, counts, _ = tracked_app()
    with caplog.at_level(logging.ERROR, "fastrapi"):
        response = TestClient(app, raise_server_exceptions=False).get("/broken-exit")
    assert response.status_code == 200
    assert "after the response was sent" in caplog.text
    assert counts["exit"] == 2
    with pytest.raises(RuntimeError, match="exit code failed"):  # as FastAPI's TestClient raises
        TestClient(app).get("/broken-exit")


def _call(app: FastAPI, path: str) -> tuple[list[Any], Any]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": None, "HTTP_HOST": "x",
               "fastrapi.inline_tasks": True}
    started: list[Any] = []
    body = app(environ, lambda status, headers, exc_info=None: started.append(status))
    return started, body


def test_close_twice_exits_once() -> None:
    app, counts, _ = tracked_app()
    started, body = _call(app, "/ok")
    assert b"".join(body) == b'{"open":true}' and started == ["200 OK"]
    assert counts["exit"] == 1  # the function-scoped one, before the response
    body.close()
    body.close()
    assert counts == {"enter": 3, "exit": 3}


def test_a_server_that_never_calls_close(caplog: pytest.LogCaptureFixture) -> None:
    """PEP 3333 says the server must call close(); if it does not, the exits (and tasks) run
    when the body is garbage-collected, once, with a warning."""
    app, counts, log = tracked_app()
    with caplog.at_level(logging.WARNING, "fastrapi"):
        _, body = _call(app, "/ok")
        b"".join(body)
        del body
        gc.collect()
    assert counts == {"enter": 3, "exit": 3}
    assert log == ["endpoint", "early exit", "task open=True", "exit"]
    assert "never called close()" in caplog.text


def test_a_background_task_can_use_the_yielded_resource_on_the_runner() -> None:
    """Outside TestClient the runner runs tasks in a greenlet, then the request-scoped exits."""
    import gevent

    app, counts, log = tracked_app()
    client = TestClient(app, run_background_tasks=False)

    def request() -> None:
        assert client.get("/ok").json() == {"open": True}

    gevent.spawn(request).join()
    assert app.drain(5)
    assert log == ["endpoint", "early exit", "task open=True", "exit"]
    assert counts == {"enter": 3, "exit": 3}


# -- plans are made when the route is added -----------------------------------------------------


def test_requests_walk_a_prepared_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    app = FastAPI()

    def a(q: int = 1):
        return q

    def b(x: Annotated[int, Depends(a)]):
        return x + 1

    @app.get("/")
    def root(y: Annotated[int, Depends(b)], z: Annotated[int, Depends(a)]):
        return [y, z]

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("signature inspected during a request")

    client = TestClient(app)
    client.get("/")  # the router's matcher is built lazily
    monkeypatch.setattr(inspect, "signature", forbidden)
    assert client.get("/?q=5").json() == [6, 5]


def test_overrides_make_the_plan_again_once_per_change() -> None:
    app = FastAPI()

    def real():
        return "real"

    @app.get("/")
    def root(v: Annotated[str, Depends(real)]):
        return v

    client = TestClient(app)
    route = app.routes[-1]
    assert client.get("/").json() == "real"
    app.dependency_overrides[real] = lambda: "fake"
    assert client.get("/").json() == "fake"
    plan = route.plan_for(app.dependency_overrides)
    assert client.get("/").json() == "fake" and route.plan_for(app.dependency_overrides) is plan
    app.dependency_overrides[real] = lambda: "other"
    assert client.get("/").json() == "other"
    app.dependency_overrides.clear()
    assert client.get("/").json() == "real"
    app.dependency_overrides = {real: lambda: "assigned"}
    assert client.get("/").json() == "assigned"


def test_a_request_scoped_yield_cannot_depend_on_a_function_scoped_one() -> None:
    app = FastAPI()

    def inner():
        yield 1

    def outer(x: Annotated[int, Depends(inner, scope="function")]):
        yield x

    with pytest.raises(DependencyScopeError, match='"outer" has a scope of "request"'):
        @app.get("/")
        def root(v: Annotated[int, Depends(outer)]):
            return v

    @app.get("/ok")  # a function-scoped outer may
    def ok(v: Annotated[int, Depends(outer, scope="function")]):
        return v

    assert TestClient(app).get("/ok").json() == 1


def test_the_plan_lists_the_tree_with_security_scopes() -> None:
    app = FastAPI()
    oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "", "items": ""})

    def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]):
        return scopes.scopes

    def active_user(user: Annotated[list, Security(current_user, scopes=["me"])]):
        return user

    def audit():
        return None

    @app.get("/items", dependencies=[Depends(audit)])
    def items(user: Annotated[list, Security(active_user, scopes=["items"])],
              again: Annotated[list, Security(current_user, scopes=["items", "me"])]):
        return [user, again]

    plan = app.routes[-1].plan
    walked = [(step.dependency.__name__ if step.security is None else "oauth2", depth, step.scopes)
              for step, depth in plan.iter_dependencies(unique=False)]
    assert walked == [
        ("audit", 1, ()), ("active_user", 1, ("items",)), ("current_user", 2, ("items", "me")),
        ("oauth2", 3, ("items", "me")), ("current_user", 1, ("items", "me")), ("oauth2", 2, ("items", "me")),
    ]
    assert plan.security_requirements() == [(oauth2, ["items", "me"])]
    headers = {"authorization": "Bearer t"}
    assert TestClient(app).get("/items", headers=headers).json() == [["items", "me"], ["items", "me"]]
