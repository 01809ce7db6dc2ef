"""``Jinja2Templates`` against FastAPI's: the templates tutorial (a static mount, ``url_for`` of a route and of a
file), template inheritance, context processors, response options, a ready ``env``, and the old call form.

Annotations stay eager here (no ``from __future__ import annotations``): ``request: fw.Request`` names a local.
"""

import pytest

pytest.register_assert_rewrite("tests.differential")

import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

import fastapi.staticfiles  # noqa: E402
import fastapi.templating  # noqa: E402
import jinja2  # noqa: E402

import fastrapi.staticfiles  # noqa: E402
import fastrapi.templating  # noqa: E402
from fastrapi import FastrAPI, Request  # noqa: E402
from fastrapi.testclient import TestClient  # noqa: E402
from tests.differential import check  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "templates"
TEMPLATES = FIXTURES / "templates"
STATIC = FIXTURES / "static"


def _modules(fw: SimpleNamespace) -> tuple[Any, Any]:
    if fw.name == "fastapi":
        return fastapi.templating, fastapi.staticfiles
    return fastrapi.templating, fastrapi.staticfiles


def tutorial_app(fw: SimpleNamespace) -> Any:
    """FastAPI's docs_src/templates/tutorial001 with the fixture folders."""
    templating, staticfiles = _modules(fw)
    app = fw.FastAPI()
    app.mount("/static", staticfiles.StaticFiles(directory=STATIC), name="static")
    templates = templating.Jinja2Templates(directory=TEMPLATES)

    @app.get("/items/{id}", response_class=fw.HTMLResponse)
    async def read_item(request: fw.Request, id: str) -> Any:
        return templates.TemplateResponse(request=request, name="item.html", context={"id": id})

    return app


def pages_app(fw: SimpleNamespace) -> Any:
    templating, _ = _modules(fw)
    app = fw.FastAPI()
    templates = templating.Jinja2Templates(
        directory=[TEMPLATES], context_processors=[lambda request: {"site": request.headers.get("x-site", "-")}])
    env_templates = templating.Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES)))

    @app.get("/", name="home")
    def home(request: fw.Request) -> Any:
        return templates.TemplateResponse(request, "greeting.html", {"who": "<you>"})

    @app.get("/options")
    def options(request: fw.Request) -> Any:
        return templates.TemplateResponse(request, "greeting.html", {"who": "x"}, status_code=201,
                                          headers={"x-page": "1"}, media_type="text/plain")

    @app.get("/text")
    def text(request: fw.Request) -> Any:
        return templates.TemplateResponse(request, "plain.txt", {"markup": "<b>"})

    @app.get("/env")
    def env(request: fw.Request) -> Any:
        # No autoescape in a plain Environment; url_for is still added to its globals.
        return env_templates.TemplateResponse(request, "greeting.html", {"who": "<you>", "site": "env"})

    @app.get("/rendered", response_class=fw.HTMLResponse)
    def rendered() -> str:
        return templates.get_template("plain.txt").render(markup="direct")

    @app.get("/missing")
    def missing(request: fw.Request) -> Any:
        return templates.TemplateResponse(request, "nope.html")

    return app


@pytest.mark.parametrize("path", ["/items/42", "/items/a%20b", "/items/%3Cb%3E", "/static/styles.css"])
def test_tutorial(path: str) -> None:
    # StaticFiles' ETag/Last-Modified come from the same stat on both.
    check(tutorial_app, "GET", path)


def test_tutorial_page_links_the_route_and_the_stylesheet() -> None:
    response = check(tutorial_app, "GET", "/items/42")
    assert 'href="http://testserver/static/styles.css"' in response.text
    assert '<a href="http://testserver/items/42">Item ID: 42</a>' in response.text


@pytest.mark.parametrize(("path", "headers"), [
    ("/", {}), ("/", {"x-site": "<site>"}), ("/options", {}), ("/text", {}), ("/env", {}), ("/rendered", {}),
    ("/missing", {}),
])
def test_pages(path: str, headers: dict[str, str]) -> None:
    check(pages_app, "GET", path, headers=headers)


def test_page_escapes_html_templates_only() -> None:
    response = check(pages_app, "GET", "/")
    assert "Hello &lt;you&gt; from / (-)" in response.text
    assert '<main data-home="http://testserver/">' in response.text
    assert check(pages_app, "GET", "/text").text == "no escaping in .txt: <b>"


def _old_form_app() -> FastrAPI:
    templates = fastrapi.templating.Jinja2Templates(directory=TEMPLATES)
    app = FastrAPI()

    @app.get("/", name="home")
    def old(request: Request) -> Any:
        return templates.TemplateResponse("greeting.html", {"request": request, "who": "old", "site": "s"}, 202)

    @app.get("/new")
    def new(request: Request) -> Any:
        return templates.TemplateResponse(request, "greeting.html", {"who": "old", "site": "s"}, 202)

    @app.get("/keywords")
    def keywords(request: Request) -> Any:
        return templates.TemplateResponse(name="greeting.html", context={"request": request, "who": "old",
                                                                         "site": "s"}, status_code=202)

    @app.get("/no-request")
    def no_request() -> Any:
        return templates.TemplateResponse("greeting.html", {"who": "old"})

    return app


def test_old_call_form_renders_like_the_new_one_with_a_warning() -> None:
    # Starlette 1.x (under FastAPI 0.165) dropped TemplateResponse(name, {"request": request}); Starlette 0.x
    # answered it like the new form, with a DeprecationWarning, and so does fastrapi.
    client = TestClient(_old_form_app())
    new = client.get("/new")
    for path in ("/", "/keywords"):
        with pytest.warns(DeprecationWarning, match=r"pass the request first"):
            old = client.get(path)
        assert (old.status_code, old.headers["content-type"], old.text) == (
            new.status_code, new.headers["content-type"], new.text.replace("from /new", f"from {path}"))
    assert new.status_code == 202
    assert "Hello old from /new (s)" in new.text


def test_old_call_form_without_a_request_fails() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match='context must include a "request" key'):
            TestClient(_old_form_app()).get("/no-request")


def test_template_response_keeps_template_and_context() -> None:
    templates = fastrapi.templating.Jinja2Templates(directory=TEMPLATES)
    request = Request({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http", "HTTP_HOST": "h"})
    response = templates.TemplateResponse(request, "plain.txt", {"markup": "m"})
    assert response.template.name == "plain.txt"
    assert response.context == {"markup": "m", "request": request}
    assert response.body == b"no escaping in .txt: m"
    assert templates.env.get_template("plain.txt") is templates.get_template("plain.txt")


def test_directory_or_env_is_required() -> None:
    with pytest.raises(AssertionError, match="either 'directory' or 'env'"):
        fastrapi.templating.Jinja2Templates()


def test_missing_jinja2_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    monkeypatch.delitem(sys.modules, "fastrapi.templating")
    with pytest.raises(ImportError, match=r"needs the jinja2 package: pip install 'fastrapi\[templates\]'"):
        import fastrapi.templating  # noqa: F401
