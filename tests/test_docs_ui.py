"""``/docs``, ``/redoc`` and the OAuth2 redirect page: served like FastAPI's, pages of our own.

The pages are our own templates, so their bytes differ from FastAPI's; what a client sees of the
routes (status, headers but the length) is compared with FastAPI, and what the pages load and
configure is checked in the HTML. ``test_docs_ui_browser.py`` renders them in Chromium.
"""

import importlib.util
from types import SimpleNamespace
from typing import Any

import pytest

from fastrapi import FastAPI, FastrAPI
from fastrapi.openapi import docs_routes
from fastrapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastrapi.openapi.docs_routes import DocsAssets
from fastrapi.testclient import TestClient

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

from tests.differential import exchange, normalized_headers  # noqa: E402

HAS_LOCAL_ASSETS = importlib.util.find_spec(docs_routes.ASSETS_PACKAGE) is not None
needs_local_assets = pytest.mark.skipif(not HAS_LOCAL_ASSETS, reason="the docs-assets extra is not installed")


def docs_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(title="Docs app")

    @app.get("/items/{item_id}")
    def read_item(item_id: int):
        return {"item_id": item_id}

    @app.get("/docs/extra")
    def under_docs():
        return {"ok": True}

    @app.get("/docs")  # registered after the docs route: never reached, as in FastAPI
    def shadowed():
        return {"mine": True}

    return app


def custom_urls_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(docs_url="/documentation", redoc_url=None, swagger_ui_oauth2_redirect_url="/auth-back")
    app.get("/")(lambda: {})
    return app


def same_route_answer(factory: Any, method: str, url: str) -> Any:
    expected, actual = exchange(factory, method, url)
    assert actual.status_code == expected.status_code
    ignore = frozenset({"content-length"})
    assert normalized_headers(actual, ignore) == normalized_headers(expected, ignore)
    return actual


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/docs"), ("HEAD", "/docs"), ("POST", "/docs"), ("GET", "/docs/"), ("GET", "/redoc"),
    ("HEAD", "/redoc"), ("PUT", "/redoc"), ("GET", "/docs/oauth2-redirect"), ("DELETE", "/docs/oauth2-redirect"),
    ("GET", "/docs/extra"), ("GET", "/docs?x=1"),
])
def test_docs_routes_answer_like_fastapi(method: str, url: str) -> None:
    answer = same_route_answer(docs_app, method, url)
    if method == "HEAD":
        assert answer.content == b""


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/documentation"), ("GET", "/docs"), ("GET", "/redoc"), ("GET", "/auth-back"),
    ("GET", "/docs/oauth2-redirect"),
])
def test_custom_docs_urls_answer_like_fastapi(method: str, url: str) -> None:
    same_route_answer(custom_urls_app, method, url)


def test_swagger_ui_page_loads_the_document_and_the_ui() -> None:
    page = TestClient(docs_app(SimpleNamespace(FastAPI=FastAPI))).get("/docs").text
    assert "<title>Docs app - Swagger UI</title>" in page
    assert 'url: "/openapi.json"' in page
    assert 'href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"' in page
    assert 'src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"' in page
    assert 'oauth2RedirectUrl: window.location.origin + "/docs/oauth2-redirect"' in page
    assert '"deepLinking": true' in page and '"dom_id": "#swagger-ui"' in page
    assert "SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset" in page
    assert "initOAuth" not in page


def test_swagger_ui_parameters_and_init_oauth() -> None:
    app = FastrAPI(swagger_ui_parameters={"syntaxHighlight": {"theme": "obsidian"}, "deepLinking": False},
                   swagger_ui_init_oauth={"clientId": "the-client", "usePkceWithAuthorizationCodeGrant": True},
                   swagger_ui_oauth2_redirect_url=None)
    page = TestClient(app).get("/docs").text
    assert '"syntaxHighlight": {"theme": "obsidian"}' in page
    assert '"deepLinking": false' in page and '"deepLinking": true' not in page
    assert 'ui.initOAuth({"clientId": "the-client", "usePkceWithAuthorizationCodeGrant": true})' in page
    assert "oauth2RedirectUrl" not in page
    assert TestClient(app).get("/docs/oauth2-redirect").status_code == 404


def test_redoc_page() -> None:
    page = TestClient(FastrAPI(title="T")).get("/redoc").text
    assert "<title>T - ReDoc</title>" in page
    assert '<redoc spec-url="/openapi.json"></redoc>' in page
    assert 'src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"' in page
    assert "fonts.googleapis.com" in page


def test_oauth2_redirect_page_hands_the_answer_to_swagger_ui() -> None:
    answer = TestClient(FastrAPI()).get("/docs/oauth2-redirect")
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "window.opener.swaggerUIRedirectOauth2" in answer.text and "window.close()" in answer.text


def test_pages_escape_what_they_embed() -> None:
    app = FastrAPI(title="</title><script>alert(1)</script>", swagger_ui_parameters={"x": "</script><b>"})
    client = TestClient(app)
    for page in (client.get("/docs").text, client.get("/redoc").text):
        assert "<script>alert(1)" not in page and "</script><b>" not in page
    assert '"x": "\\u003c/script\\u003e\\u003cb\\u003e"' in client.get("/docs").text


@pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")
def test_under_a_root_path_the_pages_point_below_it() -> None:
    app = FastrAPI(root_path="/api/v1")
    client = TestClient(app)
    assert 'url: "/api/v1/openapi.json"' in client.get("/docs").text
    assert 'window.location.origin + "/api/v1/docs/oauth2-redirect"' in client.get("/docs").text
    assert 'spec-url="/api/v1/openapi.json"' in client.get("/redoc").text


def test_a_mounted_app_serves_its_docs_under_its_prefix() -> None:
    app, sub = FastrAPI(), FastrAPI(title="Sub")
    sub.get("/sub")(lambda: 1)
    app.mount("/subapi", sub)
    client = TestClient(app)
    assert 'url: "/subapi/openapi.json"' in client.get("/subapi/docs").text
    assert client.get("/subapi/openapi.json").json()["servers"] == [{"url": "/subapi"}]


def test_no_openapi_url_no_docs() -> None:
    client = TestClient(FastrAPI(openapi_url=None))
    assert [client.get(u).status_code for u in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect")] == \
        [404, 404, 404, 404]


def test_the_docs_routes_come_first_and_have_names() -> None:
    app = FastrAPI()
    app.get("/x")(lambda: 1)
    assert [getattr(r, "path", None) for r in app.routes] == \
        ["/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/x"]
    assert app.url_path_for("openapi") == "/openapi.json"
    assert app.url_path_for("swagger_ui_html") == "/docs"
    assert app.url_path_for("swagger_ui_redirect") == "/docs/oauth2-redirect"
    assert app.url_path_for("redoc_html") == "/redoc"


def test_custom_docs_route_with_self_hosted_assets() -> None:
    """FastAPI's "custom docs UI assets" how-to: docs_url=None and a route of one's own."""
    app = FastrAPI(docs_url=None, redoc_url=None)

    @app.get("/docs", include_in_schema=False)
    async def custom_swagger_ui_html():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=app.title + " - Swagger UI",
                                   oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css")

    @app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect():
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc_html():
        return get_redoc_html(openapi_url=app.openapi_url, title=app.title + " - ReDoc",
                              redoc_js_url="/static/redoc.standalone.js", with_google_fonts=False)

    client = TestClient(app)
    page = client.get("/docs").text
    assert 'src="/static/swagger-ui-bundle.js"' in page and 'href="/static/swagger-ui.css"' in page
    assert "swaggerUIRedirectOauth2" in client.get("/docs/oauth2-redirect").text
    redoc = client.get("/redoc").text
    assert 'src="/static/redoc.standalone.js"' in redoc and "googleapis" not in redoc
    assert client.get("/openapi.json").json()["paths"] == {}


def test_docs_assets_of_ones_own() -> None:
    assets = DocsAssets(swagger_js_url="https://assets.example.com/ui.js", redoc_js_url="/r.js")
    client = TestClient(FastrAPI(docs_assets=assets))
    assert 'src="https://assets.example.com/ui.js"' in client.get("/docs").text
    assert 'src="/r.js"' in client.get("/redoc").text
    with pytest.raises(ValueError, match="docs_assets"):
        FastrAPI(docs_assets="offline")


@needs_local_assets
@pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")
def test_local_assets_are_served_by_the_app() -> None:
    client = TestClient(FastrAPI(docs_assets="local", root_path="/api"))
    page = client.get("/docs").text
    assert 'src="/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js"' in page
    assert 'href="/api/docs/assets/swagger-ui-dist/swagger-ui.css"' in page
    script = client.get("/docs/assets/swagger-ui-dist/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in script.content[:2000]
    assert client.get("/docs/assets/swagger-ui-dist/swagger-ui.css").status_code == 200
    assert client.get("/docs/assets/swagger-ui-dist/favicon-32x32.png").status_code == 200
    redoc = client.get("/redoc").text
    assert 'src="/api/docs/assets/redoc/bundles/redoc.standalone.js"' in redoc and "googleapis" not in redoc
    assert client.get("/docs/assets/redoc/bundles/redoc.standalone.js").status_code == 200
    assert "/docs/assets" not in str(client.get("/openapi.json").json()["paths"])


@needs_local_assets
def test_local_assets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAPI_DOCS_ASSETS", "local")
    client = TestClient(FastrAPI(redoc_url=None, docs_url="/ui"))
    assert 'src="/ui/assets/swagger-ui-dist/swagger-ui-bundle.js"' in client.get("/ui").text
    assert client.get("/ui/assets/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_local_assets_without_the_extra_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == docs_routes.ASSETS_PACKAGE else real(name, *a))
    with pytest.raises(RuntimeError, match=r"fastrapi\[docs-assets\]"):
        FastrAPI(docs_assets="local")
