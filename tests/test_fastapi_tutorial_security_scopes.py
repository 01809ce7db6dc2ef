"""The "OAuth2 scopes" tutorial, against FastAPI, beyond the login and protected routes that
test_differential_security.py already compares: the OpenAPI document (password flow with its scopes,
each operation's required scopes), how ``SecurityScopes`` accumulates through nested ``Security``
dependencies, decorator and router ``dependencies=[Security(...)]``, and the 401's
``WWW-Authenticate: Bearer scope="..."``.
"""

import re
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

from tests.differential import FASTAPI, FASTRAPI, check
from tests.test_differential_depends import dep
from tests.test_differential_security import tutorial005


def test_tutorial_openapi() -> None:
    check(tutorial005, "GET", "/openapi.json")


SCOPES = {"me": "Read the current user.", "items": "Read items.", "admin": "Everything.", "write": "Change items."}


def scopes_app(fw: SimpleNamespace) -> Any:
    """Tokens are the granted scopes themselves (``Bearer me items``), so only scope handling is compared."""
    d = dep(fw)
    HTTPException = fw.HTTPException
    oauth2_scheme = d.OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES, refreshUrl="refresh",
                                           description="Token from /token", scheme_name="Passwords")
    optional_scheme = d.OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES, auto_error=False,
                                             scheme_name="Optional")

    def granted(security_scopes: d.SecurityScopes, token: Annotated[str, d.Depends(oauth2_scheme)]) -> dict[str, Any]:
        authenticate = f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
        have = token.split()
        missing = [scope for scope in security_scopes.scopes if scope not in have]
        if missing:
            raise HTTPException(status_code=401, detail={"missing": missing},
                                headers={"WWW-Authenticate": authenticate})
        return {"required": security_scopes.scopes, "scope_str": security_scopes.scope_str}

    def reader(info: Annotated[dict[str, Any], d.Security(granted, scopes=["items"])]) -> dict[str, Any]:
        return info

    def writer(info: Annotated[dict[str, Any], d.Security(reader, scopes=["write", "items"])]) -> dict[str, Any]:
        return info

    def plain(security_scopes: d.SecurityScopes) -> list[str]:
        return security_scopes.scopes

    router = fw.APIRouter(prefix="/admin", dependencies=[d.Security(granted, scopes=["admin"])])

    @router.get("/stats")
    def stats(info: Annotated[dict[str, Any], d.Security(granted, scopes=["me"])]) -> dict[str, Any]:
        return info

    app = fw.FastAPI()

    @app.get("/read")
    def read(info: Annotated[dict[str, Any], d.Security(reader, scopes=["me"])]) -> dict[str, Any]:
        return info

    @app.get("/write")
    def write(info: Annotated[dict[str, Any], d.Security(writer, scopes=["me"])]) -> dict[str, Any]:
        return info

    @app.get("/decorated", dependencies=[d.Security(granted, scopes=["admin", "me"])])
    def decorated() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/no-scopes")
    def no_scopes(info: Annotated[dict[str, Any], d.Depends(granted)]) -> dict[str, Any]:
        return info

    @app.get("/seen")
    def seen(direct: Annotated[list[str], d.Depends(plain)],
             inside: Annotated[list[str], d.Security(plain, scopes=["a", "b"])]) -> dict[str, Any]:
        return {"direct": direct, "inside": inside}

    @app.get("/optional")
    def optional(token: Annotated[str | None, d.Security(optional_scheme, scopes=["me"])]) -> dict[str, Any]:
        return {"token": token}

    app.include_router(router)
    return app


URLS = ["/read", "/write", "/decorated", "/no-scopes", "/seen", "/optional", "/admin/stats"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("token", [None, "", "me", "me items", "items me write", "admin", "admin me", "nonsense"])
def test_scopes_accumulate(url: str, token: str | None) -> None:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    check(scopes_app, "GET", url, headers=headers)


@pytest.mark.parametrize("authorization", ["Basic abc", "bearer me", "Bearer", "Bearer  me"])
def test_authorization_forms(authorization: str) -> None:
    check(scopes_app, "GET", "/read", headers={"authorization": authorization})


def test_scopes_openapi() -> None:
    check(scopes_app, "GET", "/openapi.json")


def test_docs_page_and_oauth2_redirect() -> None:
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(scopes_app(fw))
        docs = client.get("/docs")
        assert re.search(r"oauth2RedirectUrl: window.location.origin \+ ['\"]/docs/oauth2-redirect['\"]", docs.text)
        redirect = client.get("/docs/oauth2-redirect")
        assert (redirect.status_code, redirect.headers["content-type"]) == (200, "text/html; charset=utf-8")
        assert "window.opener.swaggerUIRedirectOauth2" in redirect.text


def flows_app(fw: SimpleNamespace) -> Any:
    """Several schemes and scopes on one operation, and Security dependencies at router and include level."""
    d = dep(fw)
    code = d.OAuth2AuthorizationCodeBearer(authorizationUrl="auth", tokenUrl="tok", refreshUrl="ref",
                                           scopes={"read": "Read.", "write": "Write."})
    bearer = d.HTTPBearer(bearerFormat="JWT", description="A JWT")
    password = d.OAuth2PasswordBearer(tokenUrl="token", scopes={"a": "A."})
    app = fw.FastAPI(swagger_ui_init_oauth={"clientId": "abc", "usePkceWithAuthorizationCodeGrant": True})

    @app.get("/code")
    def with_code(token: Annotated[str, d.Security(code, scopes=["read"])],
                  again: Annotated[str, d.Security(code, scopes=["write"])]) -> dict[str, str]:
        return {"token": token, "again": again}

    @app.get("/two")
    def two_schemes(token: Annotated[str, d.Security(password, scopes=["a"])],
                    credentials: Annotated[Any, d.Depends(bearer)]) -> dict[str, str]:
        return {"token": token, "scheme": credentials.scheme}

    router = fw.APIRouter(dependencies=[d.Security(password, scopes=["a"])])

    @router.get("/routed", dependencies=[d.Depends(bearer)])
    def routed() -> dict[str, bool]:
        return {"routed": True}

    app.include_router(router, prefix="/r", dependencies=[d.Security(code, scopes=["read", "write"])])
    return app


@pytest.mark.parametrize("url", ["/code", "/two", "/r/routed"])
@pytest.mark.parametrize("authorization", [None, "Bearer x", "Basic x"])
def test_several_schemes(url: str, authorization: str | None) -> None:
    check(flows_app, "GET", url, headers={"authorization": authorization} if authorization else {})


def test_several_schemes_openapi() -> None:
    check(flows_app, "GET", "/openapi.json")


def test_swagger_init_oauth() -> None:
    for fw in (FASTAPI, FASTRAPI):
        docs = fw.TestClient(flows_app(fw)).get("/docs").text
        assert 'ui.initOAuth({"clientId": "abc", "usePkceWithAuthorizationCodeGrant": true})' in docs, fw.name
