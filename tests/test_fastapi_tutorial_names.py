"""The names programs import: FastAPI's top level and ``fastapi.params``, and FastrAPI's (the Rust project's)
``from fastrapi import SecurityScopes``, ``from fastrapi.middleware import CORSMiddleware, ...`` and
``fastrapi.params.Unset``/``Undefined``; each used in an app answered as FastAPI answers it.

Annotations stay eager here (no ``from __future__ import annotations``): the apps' annotations name locals.
"""

import inspect
import types
from typing import Annotated, Any

import pytest

pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
import fastapi.params  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware as FastAPICORS  # noqa: E402
from fastapi.middleware.gzip import GZipMiddleware as FastAPIGZip  # noqa: E402
from fastapi.middleware.httpsredirect import HTTPSRedirectMiddleware as FastAPIHTTPSRedirect  # noqa: E402
from fastapi.middleware.trustedhost import TrustedHostMiddleware as FastAPITrustedHost  # noqa: E402
from fastapi.security import OAuth2PasswordBearer as FastAPIBearer  # noqa: E402
from fastapi.security import SecurityScopes as FastAPIScopes  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402
from starlette.middleware import Middleware as StarletteMiddleware  # noqa: E402
from starlette.middleware.sessions import SessionMiddleware as StarletteSessions  # noqa: E402

import fastrapi  # noqa: E402
import fastrapi.params  # noqa: E402
from fastrapi import SecurityScopes  # noqa: E402
from fastrapi.middleware import (  # noqa: E402
    CORSMiddleware,
    GZipMiddleware,
    HTTPSRedirectMiddleware,
    Middleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)
from fastrapi.security import OAuth2PasswordBearer  # noqa: E402
from tests.differential import check, exchange  # noqa: E402


def _public(module: types.ModuleType) -> set[str]:
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)}


def test_fastapi_top_level_names_are_ours() -> None:
    names = _public(fastapi) | {"status"}
    assert names <= set(dir(fastrapi))
    assert set(fastrapi.__all__) <= set(dir(fastrapi))


def test_fastapi_params_names_are_ours() -> None:
    # Its own classes, not what it imports (typing names, pydantic's), and pydantic's Undefined.
    names = {name for name in _public(fastapi.params)
             if getattr(vars(fastapi.params)[name], "__module__", None) == "fastapi.params"} | {"Undefined"}
    assert names <= set(dir(fastrapi.params))
    assert fastrapi.params.Undefined is fastapi.params.Undefined is PydanticUndefined
    assert {"Unset", "Undefined", "Param", "ParamTypes"} <= set(fastrapi.params.__all__)


def test_unset_is_the_default_of_marker_arguments() -> None:
    defaults = inspect.signature(fastrapi.params.Query.__init__).parameters
    assert defaults["title"].default is fastrapi.params.Unset
    query = fastrapi.params.Query(fastrapi.params.Undefined, title=fastrapi.params.Unset)
    assert query.is_required() and query.title is None


def scopes_app(fw: Any) -> Any:
    """OAuth2 scopes with the top-level ``SecurityScopes`` (FastrAPI's spelling; FastAPI's is in .security)."""
    ours = fw.name == "fastrapi"
    scopes_class = SecurityScopes if ours else FastAPIScopes
    bearer = (OAuth2PasswordBearer if ours else FastAPIBearer)(tokenUrl="token", scopes={"me": "Me", "items": "It"})
    top = fastrapi if ours else fastapi
    app = fw.FastAPI()

    def user(security_scopes: scopes_class, token: Annotated[str, top.Depends(bearer)]) -> Any:
        granted = token.split(",")
        missing = [scope for scope in security_scopes.scopes if scope not in granted]
        if missing:
            raise fw.HTTPException(401, "Not enough permissions",
                                   headers={"WWW-Authenticate": f'Bearer scope="{security_scopes.scope_str}"'})
        return {"scopes": security_scopes.scopes}

    @app.get("/me")
    def me(who: Annotated[Any, top.Security(user, scopes=["me"])]) -> Any:
        return who

    @app.get("/items")
    def items(who: Annotated[Any, top.Security(user, scopes=["me", "items"])]) -> Any:
        return who

    return app


@pytest.mark.parametrize(("path", "token"), [
    ("/me", "me"), ("/items", "me"), ("/items", "me,items"), ("/me", None),
])
def test_top_level_security_scopes(path: str, token: str | None) -> None:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    check(scopes_app, "GET", path, headers=headers)


def test_openapi_of_the_scopes_app() -> None:
    check(scopes_app, "GET", "/openapi.json")


def middleware_app(fw: Any) -> Any:
    """The middleware imported from ``fastrapi.middleware`` itself, in ``Middleware(...)`` entries."""
    ours = fw.name == "fastrapi"
    entry = Middleware if ours else StarletteMiddleware
    app = fw.FastAPI(middleware=[
        entry(TrustedHostMiddleware if ours else FastAPITrustedHost, allowed_hosts=["testserver", "*.example.com"]),
        entry(CORSMiddleware if ours else FastAPICORS, allow_origins=["https://a.example"], allow_methods=["GET"],
              allow_headers=["x-token"]),
        entry(GZipMiddleware if ours else FastAPIGZip, minimum_size=100),
    ])

    @app.get("/big")
    def big() -> Any:
        return {"data": "x" * 1000}

    @app.get("/small")
    def small() -> Any:
        return {"data": "x"}

    return app


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("GET", "/big", {"Accept-Encoding": "gzip"}),
    ("GET", "/small", {"Accept-Encoding": "gzip", "Origin": "https://a.example"}),
    ("OPTIONS", "/small", {"Origin": "https://a.example", "Access-Control-Request-Method": "GET",
                           "Access-Control-Request-Headers": "x-token"}),
    ("OPTIONS", "/small", {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}),
    ("GET", "/small", {"Host": "other.test"}),
    ("GET", "/small", {"Host": "api.example.com"}),
])
def test_middleware_from_the_package(method: str, path: str, headers: dict[str, str]) -> None:
    check(middleware_app, method, path, headers=headers)


def redirect_and_session_app(fw: Any) -> Any:
    ours = fw.name == "fastrapi"
    app = fw.FastAPI()
    app.add_middleware(SessionMiddleware if ours else StarletteSessions, secret_key="k", session_cookie="sid")
    app.add_middleware(HTTPSRedirectMiddleware if ours else FastAPIHTTPSRedirect)

    @app.get("/count")
    def count(request: fw.Request) -> Any:
        request.session["n"] = request.session.get("n", 0) + 1
        return {"n": request.session["n"]}

    return app


def test_https_redirect_from_the_package() -> None:
    response = check(redirect_and_session_app, "GET", "/count?a=1")
    assert (response.status_code, response.headers["location"]) == (307, "https://testserver/count?a=1")


def test_sessions_from_the_package() -> None:
    # The signed cookie carries a timestamp, so only its name and the counting are compared.
    for expected, actual in [exchange(redirect_and_session_app, "GET", "https://testserver/count")
                             for _ in range(2)]:
        assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())
        assert actual.headers["set-cookie"].split("=")[0] == expected.headers["set-cookie"].split("=")[0] == "sid"
    assert actual.json() == {"n": 2}
