"""Events, testing with overrides and what cannot be mounted, against FastAPI ("Lifespan Events",
"Testing Dependencies with Overrides"): the ``on_event`` DeprecationWarning, ``dependency_overrides = None``,
and ASGI apps or middleware refused when they are added.
"""

import warnings
from collections.abc import Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Annotated, Any

import fastapi
import pytest
import starlette.middleware.cors
import starlette.staticfiles

import fastrapi
from fastrapi.testclient import TestClient
from tests.differential import FASTAPI, FASTRAPI


def _on_event_warnings(module: Any) -> list[tuple[type[Warning], str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = module.FastAPI()

        @app.on_event("startup")
        def start() -> None: ...

        router = module.APIRouter()

        @router.on_event("shutdown")
        def stop() -> None: ...

    assert all(w.filename == __file__ for w in caught), [w.filename for w in caught]  # the user's line
    return sorted({(w.category, str(w.message)) for w in caught}, key=str)


def test_on_event_warns_as_fastapi() -> None:
    ours = _on_event_warnings(fastrapi)
    assert ours == [(DeprecationWarning, (
        "\n        on_event is deprecated, use lifespan event handlers instead.\n\n        Read more about it in the\n"
        "        [FastAPI docs for Lifespan Events](https://fastapi.tiangolo.com/advanced/events/).\n        "))]
    assert set(ours) == _on_event_warnings_fastapi()


def _on_event_warnings_fastapi() -> set[tuple[type[Warning], str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = fastapi.FastAPI()
        app.on_event("startup")(lambda: None)
        fastapi.APIRouter().on_event("shutdown")(lambda: None)
    return {(w.category, str(w.message)) for w in caught}


def events_app(fw: SimpleNamespace, log: list[str]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app = fw.FastAPI()
        items: dict[str, dict[str, str]] = {}

        @app.on_event("startup")
        async def startup_event() -> None:
            items["foo"] = {"name": "Fighters"}
            log.append("startup")

        @app.on_event("shutdown")
        def shutdown_event() -> None:
            log.append("shutdown")

    @app.get("/items/{item_id}")
    async def read_items(item_id: str) -> dict[str, str]:
        return items[item_id]

    return app


def lifespan_app(fw: SimpleNamespace, log: list[str]) -> Any:
    models: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        models["answer_to_everything"] = lambda x: x * 42
        log.append("enter")
        yield
        models.clear()
        log.append("exit")

    app = fw.FastAPI(lifespan=lifespan)

    @app.get("/predict")
    async def predict(x: float) -> dict[str, float]:
        return {"result": models["answer_to_everything"](x)}

    return app


@pytest.mark.parametrize("build", [events_app, lifespan_app])
def test_startup_and_shutdown(build: Any) -> None:
    outcomes = []
    for fw in (FASTAPI, FASTRAPI):
        log: list[str] = []
        with fw.TestClient(build(fw, log)) as client:
            url = "/items/foo" if build is events_app else "/predict?x=2"
            response = client.get(url)
            during = list(log)
        outcomes.append((response.status_code, response.json(), during, log))
    assert outcomes[1] == outcomes[0]


def overrides_app(fw: SimpleNamespace) -> Any:
    depends = fastapi.Depends if fw.name == "fastapi" else fastrapi.Depends
    app = fw.FastAPI()

    def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100) -> dict[str, Any]:
        return {"q": q, "skip": skip, "limit": limit}

    @app.get("/items/")
    def read_items(commons: Annotated[dict[str, Any], depends(common_parameters)]) -> dict[str, Any]:
        return {"message": "Hello Items!", "params": commons}

    app.state_dependency = common_parameters
    return app


def test_included_router_events_run_once() -> None:
    # FastAPI 0.165 runs an included router's handlers twice (copied to the app and again through the
    # router's merged default lifespan); here they run once (docs/differences.md).
    log: list[str] = []
    app = fastrapi.FastAPI()
    router = fastrapi.APIRouter(on_shutdown=[lambda: log.append("router shutdown")])
    router.add_event_handler("startup", lambda: log.append("router startup"))
    app.include_router(router)
    with TestClient(app):
        assert log == ["router startup"]
    assert log == ["router startup", "router shutdown"]


@pytest.mark.parametrize("reset", [None, {}])
def test_dependency_overrides_reset(reset: Any) -> None:
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        app = overrides_app(fw)
        client = fw.TestClient(app)
        app.dependency_overrides[app.state_dependency] = lambda: {"q": None, "skip": 5, "limit": 10}
        overridden = client.get("/items/?q=x").json()
        app.dependency_overrides = reset
        answers.append((overridden, client.get("/items/?q=x").json()))
    assert answers[1] == answers[0]
    assert answers[1][1]["params"] == {"q": "x", "skip": 0, "limit": 100}


async def raw_asgi(scope: Any, receive: Any, send: Any) -> None: ...


class SyncASGI:
    def __call__(self, scope: Any, receive: Any, send: Any) -> None: ...


@pytest.mark.parametrize("app", [
    fastapi.FastAPI(), starlette.staticfiles.StaticFiles(directory="."), raw_asgi, SyncASGI(),
], ids=["fastapi", "starlette-static", "async-function", "sync-scope-receive-send"])
def test_mounting_asgi_fails_at_mount(app: Any) -> None:
    ours = fastrapi.FastAPI()
    with pytest.raises(TypeError, match="is an ASGI application, and fastrapi apps are WSGI"):
        ours.mount("/sub", app)
    with pytest.raises(TypeError, match="ASGI application"):
        fastrapi.APIRouter().mount("/sub", app)


def test_mounting_wsgi_still_works() -> None:
    sub = fastrapi.FastAPI()

    @sub.get("/x")
    def x() -> str:
        return "sub"

    def plain(environ: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("content-type", "text/plain")])
        yield b"plain"

    app = fastrapi.FastAPI()
    app.mount("/sub", sub)
    app.mount("/plain", plain)
    client = TestClient(app)
    assert client.get("/sub/x").json() == "sub"
    assert client.get("/plain/").text == "plain"


def test_asgi_middleware_fails_when_added() -> None:
    app = fastrapi.FastAPI()
    with pytest.raises(TypeError, match=r"CORSMiddleware \(starlette\.middleware\.cors\) is ASGI middleware.*"
                                        r"use fastrapi\.middleware\.CORSMiddleware"):
        app.add_middleware(starlette.middleware.cors.CORSMiddleware, allow_origins=["*"])
    with pytest.raises(TypeError, match="is ASGI middleware"):
        fastrapi.FastAPI(middleware=[fastrapi.middleware.Middleware(starlette.middleware.cors.CORSMiddleware)])
    app.add_middleware(fastrapi.middleware.CORSMiddleware, allow_origins=["*"])  # the WSGI one is fine
    response = TestClient(app).get("/openapi.json", headers={"origin": "https://x.example"})
    assert response.headers["access-control-allow-origin"] == "*"
