"""FastAPI's "Including WSGI - Flask, Django, others" page, against FastAPI: a Flask app wrapped in an ASGI
``WSGIMiddleware`` (a2wsgi's, as the page has it, or Starlette's) and mounted; fastrapi mounts the Flask app the
wrapper holds, so the page's code runs unchanged."""

import warnings
from types import SimpleNamespace
from typing import Any

import a2wsgi
import pytest
from flask import Flask, request
from markupsafe import escape

import fastrapi.middleware.wsgi
from tests.differential import FASTRAPI, check

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette.middleware.wsgi is deprecated in favour of a2wsgi
    import starlette.middleware.wsgi

WRAPPERS = {"a2wsgi": a2wsgi.WSGIMiddleware, "starlette": starlette.middleware.wsgi.WSGIMiddleware}


def flask_app() -> Flask:
    flask = Flask(__name__)

    @flask.route("/")
    def flask_main() -> str:
        name = request.args.get("name", "World")
        return f"Hello, {escape(name)} from Flask!"

    @flask.route("/where")
    def where() -> dict[str, str]:
        return {"script_name": request.script_root, "path": request.path, "url": request.url}

    return flask


def wsgi_app(wrapper: str) -> Any:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/v2")
        def read_main() -> dict[str, str]:
            return {"message": "Hello World"}

        app.mount("/v1", WRAPPERS[wrapper](flask_app()))
        return app

    return build


CASES = [("GET", "/v1/"), ("GET", "/v1/?name=<b>Ann</b>"), ("GET", "/v1/where"), ("GET", "/v1/nothing-here"),
         ("POST", "/v1/"), ("GET", "/v2")]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Starlette's WSGIMiddleware warns when made
@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(("method", "url"), CASES)
def test_a_wrapped_flask_app_answers_as_on_fastapi(wrapper: str, method: str, url: str) -> None:
    check(wsgi_app(wrapper), method, url)


def test_the_mount_holds_the_flask_app_itself() -> None:
    flask = flask_app()
    app = FASTRAPI.FastAPI()
    app.mount("/v1", a2wsgi.WSGIMiddleware(flask))
    mount = app.router.routes[-1]
    assert mount.wsgi_app is flask  # served as WSGI, with no ASGI thread pool in between


def test_fastrapi_s_own_wsgi_middleware_passes_through() -> None:
    app = FASTRAPI.FastAPI()
    app.mount("/v1", fastrapi.middleware.wsgi.WSGIMiddleware(flask_app()))
    assert FASTRAPI.TestClient(app).get("/v1/?name=Bo").text == "Hello, Bo from Flask!"
