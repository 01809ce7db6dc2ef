"""``request.scope`` and the root path, against FastAPI ("Behind a Proxy", "Sub Applications - Mounts"):
the scope's ASGI keys, ``root_path`` from ``FastAPI(root_path=...)``, ``TestClient(root_path=...)`` and a
mount, and the OpenAPI ``servers`` that follow it.
"""

from types import SimpleNamespace
from typing import Any

import pytest

import fastrapi
from fastrapi.testclient import TestClient
from tests.differential import FASTAPI, FASTRAPI

# FastAPI 0.165 warns that FastAPI(root_path=...) is deprecated (the tutorial still uses it); not compared.
pytestmark = pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")

SCOPE_KEYS = ("type", "http_version", "method", "scheme", "path", "raw_path", "root_path", "query_string",
              "headers", "client", "server", "path_params")


def proxy_app(fw: SimpleNamespace, **options: Any) -> Any:
    app = fw.FastAPI(**options)

    @app.get("/app")
    def read_main(request: fw.Request) -> dict[str, Any]:
        return {"message": "Hello World", "root_path": request.scope.get("root_path")}

    @app.get("/scope/{item_id}")
    def scope(item_id: int, request: fw.Request) -> dict[str, Any]:
        values = {key: request.scope[key] for key in SCOPE_KEYS}
        values["raw_path"] = values["raw_path"].decode("latin-1")
        values["query_string"] = values["query_string"].decode("latin-1")
        values["headers"] = [[k.decode(), v.decode()] for k, v in values["headers"]]
        values["in"] = {key: key in request.scope for key in ("type", "app", "nothing")}
        values["same_app"] = request.scope["app"] is request.app
        values["url"] = str(request.url)
        values["base_url"] = str(request.base_url)
        values["item"] = request["path_params"]
        return values

    return app


def _answers(url: str, client_options: dict[str, Any], **app_options: Any) -> list[tuple[int, Any]]:
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(proxy_app(fw, **app_options), **client_options)
        response = client.get(url, headers=[("x-tag", "a"), ("accept", "text/plain")])
        answers.append((response.status_code, response.json()))
    return answers


SETUPS = [
    pytest.param({}, {}, id="plain"),
    pytest.param({"root_path": "/api/v1"}, {}, id="client-root-path"),
    pytest.param({}, {"root_path": "/api/v1"}, id="app-root-path"),
    pytest.param({"base_url": "https://example.com:8443", "client": ("10.0.0.7", 4242)}, {}, id="https-client"),
]


@pytest.mark.parametrize(("client_options", "app_options"), SETUPS)
@pytest.mark.parametrize("url", ["/app", "/scope/7?q=1&r=%C3%A9", "/api/v1/app", "/api/v1/scope/8"])
def test_scope_and_root_path(url: str, client_options: dict[str, Any], app_options: dict[str, Any]) -> None:
    expected, actual = _answers(url, client_options, **app_options)
    assert actual == expected


@pytest.mark.parametrize(("client_options", "app_options"), [
    pytest.param({}, {"root_path": "/api/v1"}, id="app-root-path"),
    pytest.param({"root_path": "/api/v1"}, {}, id="client-root-path"),
    pytest.param({}, {"root_path": "/api/v1", "servers": [
        {"url": "https://stag.example.com", "description": "Staging environment"},
        {"url": "https://prod.example.com", "description": "Production environment"},
    ]}, id="servers"),
    pytest.param({}, {"root_path": "/api/v1", "root_path_in_servers": False, "servers": [
        {"url": "https://stag.example.com", "description": "Staging environment"},
    ]}, id="not-in-servers"),
])
def test_openapi_servers_follow_root_path(client_options: dict[str, Any], app_options: dict[str, Any]) -> None:
    documents = []
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(proxy_app(fw, **app_options), **client_options)
        documents.append(client.get("/openapi.json").json())
        assert "/api/v1/openapi.json" in client.get("/docs").text
    assert documents[1] == documents[0]


def test_mounted_sub_application_scope() -> None:
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()

        @app.get("/app")
        def read_main() -> dict[str, str]:
            return {"message": "Hello World from main app"}

        app.mount("/subapi", proxy_app(fw))
        client = fw.TestClient(app)
        scope = client.get("/subapi/scope/3").json()
        # Starlette's base_url in a mount is the outer app's root; here it includes the mount (docs/differences.md).
        scope.pop("base_url")
        answers.append([scope, *((r.status_code, r.json()) for r in (
            client.get("/app"), client.get("/subapi/app"), client.get("/subapi/openapi.json")))])
    assert answers[1] == answers[0]


def test_scope_is_read_only_and_keeps_environ_keys() -> None:
    app = fastrapi.FastAPI()

    @app.get("/")
    def root(request: fastrapi.Request) -> dict[str, Any]:
        scope = request.scope
        try:
            scope["path"] = "/elsewhere"  # type: ignore[index]
        except TypeError:
            writable = False
        else:
            writable = True
        return {"writable": writable, "PATH_INFO": scope["PATH_INFO"], "input": hasattr(scope["wsgi.input"], "read"),
                "keys": [k for k in scope if k in ("type", "REQUEST_METHOD")], "len": len(scope) >= len(SCOPE_KEYS)}

    assert TestClient(app).get("/").json() == {"writable": False, "PATH_INFO": "/", "input": True,
                                               "keys": ["type", "REQUEST_METHOD"], "len": True}
