
"""FastAPI's "bigger applications", middleware, advanced middleware, CORS, settings, events and
testing tutorials, built on FastAPI and on fastrapi, answer the same requests the same way.

Each ``*_app(fw)`` factory is the tutorial's code with the imports taken from ``fw`` (see
``differential.py``) and ``mw(fw)`` (middleware, ``Depends``, ``StaticFiles``).
"""

import contextlib
import gzip
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
import fastapi.middleware.cors  # noqa: E402
import fastapi.middleware.gzip  # noqa: E402
import fastapi.middleware.httpsredirect  # noqa: E402
import fastapi.middleware.trustedhost  # noqa: E402
import fastapi.staticfiles  # noqa: E402
import starlette.middleware  # noqa: E402
import starlette.middleware.base  # noqa: E402
import starlette.middleware.sessions  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import fastrapi  # noqa: E402
import fastrapi.middleware  # noqa: E402
import fastrapi.middleware.base  # noqa: E402
import fastrapi.middleware.cors  # noqa: E402
import fastrapi.middleware.gzip  # noqa: E402
import fastrapi.middleware.httpsredirect  # noqa: E402
import fastrapi.middleware.sessions  # noqa: E402
import fastrapi.middleware.trustedhost  # noqa: E402
import fastrapi.staticfiles  # noqa: E402
from tests.differential import FASTAPI, FASTRAPI, check, exchange, normalized_headers  # noqa: E402

_MIDDLEWARE = {
    "fastapi": SimpleNamespace(
        Depends=fastapi.Depends, BackgroundTasks=fastapi.BackgroundTasks,
        Middleware=starlette.middleware.Middleware,
        BaseHTTPMiddleware=starlette.middleware.base.BaseHTTPMiddleware,
        CORSMiddleware=fastapi.middleware.cors.CORSMiddleware,
        GZipMiddleware=fastapi.middleware.gzip.GZipMiddleware,
        TrustedHostMiddleware=fastapi.middleware.trustedhost.TrustedHostMiddleware,
        HTTPSRedirectMiddleware=fastapi.middleware.httpsredirect.HTTPSRedirectMiddleware,
        SessionMiddleware=starlette.middleware.sessions.SessionMiddleware,
        StaticFiles=fastapi.staticfiles.StaticFiles,
    ),
    "fastrapi": SimpleNamespace(
        Depends=fastrapi.Depends, BackgroundTasks=fastrapi.BackgroundTasks,
        Middleware=fastrapi.middleware.Middleware,
        BaseHTTPMiddleware=fastrapi.middleware.base.BaseHTTPMiddleware,
        CORSMiddleware=fastrapi.middleware.cors.CORSMiddleware,
        GZipMiddleware=fastrapi.middleware.gzip.GZipMiddleware,
        TrustedHostMiddleware=fastrapi.middleware.trustedhost.TrustedHostMiddleware,
        HTTPSRedirectMiddleware=fastrapi.middleware.httpsredirect.HTTPSRedirectMiddleware,
        SessionMiddleware=fastrapi.middleware.sessions.SessionMiddleware,
        StaticFiles=fastrapi.staticfiles.StaticFiles,
    ),
}


def mw(fw: SimpleNamespace) -> SimpleNamespace:
    return _MIDDLEWARE[fw.name]


@contextlib.contextmanager
def started(factory: Any, **options: Any) -> Iterator[tuple[Any, Any]]:
    """Both apps under ``with TestClient(app)``: lifespan started, shut down on exit."""
    with FASTAPI.TestClient(factory(FASTAPI), **options) as expected, \
            FASTRAPI.TestClient(factory(FASTRAPI), **options) as actual:
        yield expected, actual


def same(expected: Any, actual: Any, ignore: frozenset[str] = frozenset()) -> None:
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert normalized_headers(actual, ignore) == normalized_headers(expected, ignore)


# -- Bigger Applications - Multiple Files --------------------------------------------------------


def bigger_app(fw: SimpleNamespace) -> Any:
    HTTPException, Header, Depends = fw.HTTPException, fw.Header, mw(fw).Depends

    # app/dependencies.py
    async def get_token_header(x_token: Annotated[str, Header()]):
        if x_token != "fake-super-secret-token":
            raise HTTPException(status_code=400, detail="X-Token header invalid")

    async def get_query_token(token: str):
        if token != "jessica":
            raise HTTPException(status_code=400, detail="No Jessica token provided")

    # app/routers/users.py
    users = fw.APIRouter()

    @users.get("/users/", tags=["users"])
    async def read_users():
        return [{"username": "Rick"}, {"username": "Morty"}]

    @users.get("/users/me", tags=["users"])
    async def read_user_me():
        return {"username": "fakecurrentuser"}

    @users.get("/users/{username}", tags=["users"])
    async def read_user(username: str):
        return {"username": username}

    # app/routers/items.py
    items = fw.APIRouter(
        prefix="/items", tags=["items"], dependencies=[Depends(get_token_header)],
        responses={404: {"description": "Not found"}},
    )
    fake_items_db = {"plumbus": {"name": "Plumbus"}, "gun": {"name": "Portal Gun"}}

    @items.get("/")
    async def read_items():
        return fake_items_db

    @items.get("/{item_id}")
    async def read_item(item_id: str):
        if item_id not in fake_items_db:
            raise HTTPException(status_code=404, detail="Item not found")
        return {"name": fake_items_db[item_id]["name"], "item_id": item_id}

    @items.put("/{item_id}", tags=["custom"], responses={403: {"description": "Operation forbidden"}})
    async def update_item(item_id: str):
        if item_id != "plumbus":
            raise HTTPException(status_code=403, detail="You can only update the item: plumbus")
        return {"item_id": item_id, "name": "The great Plumbus"}

    # app/internal/admin.py
    admin = fw.APIRouter()

    @admin.post("/")
    async def update_admin():
        return {"message": "Admin getting schwifty"}

    # app/main.py
    app = fw.FastAPI(dependencies=[Depends(get_query_token)])
    app.include_router(users)
    app.include_router(items)
    app.include_router(
        admin, prefix="/admin", tags=["admin"], dependencies=[Depends(get_token_header)],
        responses={418: {"description": "I'm a teapot"}},
    )

    @app.get("/")
    async def root():
        return {"message": "Hello Bigger Applications!"}

    return app


TOKEN = {"x-token": "fake-super-secret-token"}


@pytest.mark.parametrize(("method", "url", "headers"), [
    ("GET", "/users/?token=jessica", {}),
    ("GET", "/users?token=jessica", {}),
    ("GET", "/users/me?token=jessica", {}),
    ("GET", "/users/foo?token=jessica", {}),
    ("GET", "/items/?token=jessica", TOKEN),
    ("GET", "/items?token=jessica", TOKEN),
    ("GET", "/items/plumbus?token=jessica", TOKEN),
    ("GET", "/items/bar?token=jessica", TOKEN),
    ("PUT", "/items/plumbus?token=jessica", TOKEN),
    ("PUT", "/items/bar?token=jessica", TOKEN),
    ("DELETE", "/items/plumbus?token=jessica", TOKEN),
    ("POST", "/admin/?token=jessica", TOKEN),
    ("POST", "/admin?token=jessica", TOKEN),
    ("GET", "/admin/?token=jessica", TOKEN),
    ("GET", "/?token=jessica", {}),
    ("GET", "/nothing?token=jessica", {}),
])
def test_bigger_applications(method: str, url: str, headers: dict[str, str]) -> None:
    check(bigger_app, method, url, headers=headers)


@pytest.mark.parametrize(("url", "headers"), [
    ("/", {}), ("/users/", {}), ("/items/plumbus?token=jessica", {}),
    ("/items/plumbus?token=jessica", {"x-token": "wrong"}), ("/?token=monica", {}),
])
def test_bigger_applications_dependencies(url: str, headers: dict[str, str]) -> None:
    check(bigger_app, "GET", url, headers=headers)


# -- routers: include_router options, nesting, live inclusion ----------------------------------


def routers_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    plain = fw.APIRouter(prefix="/plain")
    html = fw.APIRouter(prefix="/html", default_response_class=fw.HTMLResponse)

    @plain.get("/default")
    def plain_default():
        return "<p>plain</p>"

    @plain.get("/explicit", response_class=fw.PlainTextResponse)
    def plain_explicit():
        return "text"

    @html.get("/default")
    def html_default():
        return "<p>html</p>"

    @html.get("/explicit", response_class=fw.JSONResponse)
    def html_explicit():
        return {"json": True}

    # The include's class applies to routes that chose none, under a router that chose none.
    app.include_router(plain, default_response_class=fw.PlainTextResponse)
    app.include_router(html, prefix="/v1", default_response_class=fw.PlainTextResponse)

    # Nesting: a router in a router in a router, prefixes joined at each level.
    leaf = fw.APIRouter(prefix="/leaf")
    middle = fw.APIRouter(prefix="/middle")
    outer = fw.APIRouter()

    @leaf.get("/{name}")
    def leaf_name(name: str):
        return {"leaf": name}

    @leaf.api_route("/multi", methods=["GET", "POST"])
    def leaf_multi():
        return "multi"

    middle.include_router(leaf, prefix="/deep")
    outer.include_router(middle, prefix="/outer")
    app.include_router(outer, prefix="/api")

    # Routes added to a router after it was included are served too.
    @middle.get("/late")
    def late():
        return "late"

    def added(item_id: int):
        return {"item_id": item_id}

    leaf.add_api_route("/items/{item_id}", added, methods=["PUT"], status_code=201)

    @app.get("/urls")
    def urls():
        return [
            app.url_path_for("leaf_name", name="x"), app.url_path_for("late"),
            app.url_path_for("added", item_id=3), app.url_path_for("html_default"),
        ]

    # The same router included twice, under two prefixes.
    shared = fw.APIRouter()

    @shared.get("/ping")
    def ping():
        return "pong"

    app.include_router(shared, prefix="/a")
    app.include_router(shared, prefix="/b")
    return app


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/plain/default"), ("GET", "/plain/explicit"), ("GET", "/v1/html/default"),
    ("GET", "/v1/html/explicit"), ("GET", "/html/default"),
    ("GET", "/api/outer/middle/deep/leaf/bob"), ("POST", "/api/outer/middle/deep/leaf/multi"),
    ("DELETE", "/api/outer/middle/deep/leaf/multi"), ("GET", "/api/outer/middle/late"),
    ("PUT", "/api/outer/middle/deep/leaf/items/7"), ("GET", "/api/outer/middle/deep/leaf/items/7"),
    ("GET", "/urls"), ("GET", "/a/ping"), ("GET", "/b/ping"), ("GET", "/api/outer/middle/late/"),
])
def test_routers(method: str, url: str) -> None:
    check(routers_app, method, url)


def test_include_router_checks() -> None:
    for fw in (FASTAPI, FASTRAPI):
        router = fw.APIRouter()
        with pytest.raises(AssertionError, match="into itself"):
            router.include_router(router)
        child = fw.APIRouter()
        router.include_router(child)
        with pytest.raises(AssertionError, match="already includes"):
            child.include_router(router)
        with pytest.raises(AssertionError, match="must start with '/'"):
            router.include_router(fw.APIRouter(), prefix="api")
        empty = fw.APIRouter()

        @empty.get("")
        def nameless():
            return None

        with pytest.raises(Exception, match=r"Prefix and path cannot be both empty \(path operation: nameless\)"):
            fw.FastAPI().include_router(empty)


def test_included_route_options() -> None:
    """What include_router merges, as attributes of the routes a FastAPI user can inspect."""
    seen = []
    for fw in (FASTAPI, FASTRAPI):
        router = fw.APIRouter(prefix="/r", tags=["r"], responses={404: {"description": "nf"}}, deprecated=None)

        @router.get("/x", tags=["x"], responses={403: {"description": "f"}}, include_in_schema=True)
        def x():
            return None

        app = fw.FastAPI()
        app.include_router(router, prefix="/p", tags=["inc"], responses={418: {"description": "t"}},
                           deprecated=True, include_in_schema=False)
        route = next(r for r in _effective_routes(app) if getattr(r, "path", "") == "/p/r/x")
        seen.append((route.tags, route.responses, route.deprecated, route.include_in_schema))
    assert seen[0] == seen[1]


def _effective_routes(app: Any) -> list[Any]:
    if hasattr(app.router, "effective_routes"):
        return app.router.effective_routes()
    from fastapi.routing import iter_route_contexts

    return [context._effective_route for context in iter_route_contexts(app.routes)]


# -- Middleware ---------------------------------------------------------------------------------


def middleware_tutorial(fw: SimpleNamespace) -> Any:
    Request = fw.Request
    app = fw.FastAPI()

    @app.middleware("http")
    async def add_process_time_header(request: Request, call_next):
        start_time = time.perf_counter()
        response = await call_next(request)
        process_time = time.perf_counter() - start_time
        response.headers["X-Process-Time"] = str(process_time)
        return response

    @app.get("/items/{item_id}")
    def read_item(item_id: int):
        return {"item_id": item_id}

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    return app


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/items/3"), ("GET", "/items/x"), ("POST", "/items/3"), ("GET", "/nope"), ("GET", "/boom"),
    ("HEAD", "/items/3"),
])
def test_middleware_tutorial(method: str, url: str) -> None:
    expected, actual = exchange(middleware_tutorial, method, url)
    same(expected, actual, ignore=frozenset({"x-process-time"}))
    assert ("x-process-time" in actual.headers) == ("x-process-time" in expected.headers)


def middleware_chain_app(fw: SimpleNamespace) -> Any:
    m = mw(fw)

    class Tag(m.BaseHTTPMiddleware):
        def __init__(self, app: Any, name: str) -> None:
            super().__init__(app)
            self.name = name

        async def dispatch(self, request, call_next):
            response = await call_next(request)
            response.headers.append("x-order", self.name)
            return response

    app = fw.FastAPI(middleware=[m.Middleware(Tag, name="init-1"), m.Middleware(Tag, name="init-2")])
    app.add_middleware(Tag, name="added-1")
    app.add_middleware(Tag, name="added-2")

    @app.middleware("http")
    async def replace(request, call_next):
        response = await call_next(request)
        if request.url.path == "/replace":
            body = b"".join([chunk async for chunk in response.body_iterator])
            return fw.JSONResponse({"was": body.decode(), "status": response.status_code}, status_code=202,
                                   headers={"x-replaced": "1"})
        return response

    @app.middleware("http")
    async def short_circuit(request, call_next):
        if request.headers.get("x-stop"):
            return fw.PlainTextResponse("stopped", status_code=401)
        return await call_next(request)

    @app.middleware("http")
    async def raises(request, call_next):
        if request.headers.get("x-raise"):
            raise fw.HTTPException(418)  # outside the exception handlers: a 500
        return await call_next(request)

    @app.middleware("http")
    async def state(request, call_next):
        request.state.seen_by_middleware = "yes"
        return await call_next(request)

    @app.exception_handler(KeyError)
    def key_error(request, exc):
        return fw.JSONResponse({"missing": str(exc)}, status_code=409)

    @app.get("/replace")
    def replace_me():
        return {"hello": "world"}

    @app.get("/plain")
    def plain(request: fw.Request):
        return {"state": request.state.seen_by_middleware}

    @app.get("/key")
    def key():
        raise KeyError("k")

    return app


@pytest.mark.parametrize(("url", "headers"), [
    ("/plain", {}), ("/replace", {}), ("/nope", {}), ("/plain", {"x-stop": "1"}), ("/plain", {"x-raise": "1"}),
    ("/key", {}),
])
def test_middleware_order_and_replacement(url: str, headers: dict[str, str]) -> None:
    check(middleware_chain_app, "GET", url, headers=headers)


def test_add_middleware_after_start_raises() -> None:
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()
        with fw.TestClient(app) as client:
            client.get("/")
            with pytest.raises(RuntimeError, match="Cannot add middleware after an application has started"):
                app.add_middleware(mw(fw).GZipMiddleware)


# -- Advanced middleware ------------------------------------------------------------------------


def https_redirect_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).HTTPSRedirectMiddleware)

    @app.get("/")
    async def main():
        return {"message": "Hello World"}

    return app


@pytest.mark.parametrize(("url", "headers"), [
    ("/", {}), ("/?q=1", {}), ("/a%20b", {}), ("/", {"host": "example.com:80"}), ("/", {"host": "example.com:8080"}),
])
def test_https_redirect_tutorial(url: str, headers: dict[str, str]) -> None:
    check(https_redirect_tutorial, "GET", url, headers=headers)


def test_https_redirect_serves_https() -> None:
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(https_redirect_tutorial(fw), base_url="https://testserver")
        assert client.get("/").json() == {"message": "Hello World"}


def trusted_host_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).TrustedHostMiddleware, allowed_hosts=["example.com", "*.example.com"])

    @app.get("/")
    async def main():
        return {"message": "Hello World"}

    return app


def www_redirect_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).TrustedHostMiddleware, allowed_hosts=["www.example.com"])

    @app.get("/{path:path}")
    async def main(path: str):
        return {"path": path}

    return app


@pytest.mark.parametrize("host", [
    None, "example.com", "api.example.com", "EXAMPLE.COM:8000", "evil.com", "example.com.evil.com", "[::1]", "bad host",
])
def test_trusted_host_tutorial(host: str | None) -> None:
    check(trusted_host_tutorial, "GET", "/", headers={"host": host} if host else {})


@pytest.mark.parametrize("host", ["example.com", "www.example.com", "other.com", "example.com:8080"])
def test_trusted_host_www_redirect(host: str) -> None:
    check(www_redirect_app, "GET", "/some/path?q=1", headers={"host": host})


def gzip_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).GZipMiddleware, minimum_size=1000, compresslevel=5)

    @app.get("/")
    async def main():
        return "somebigcontent"

    @app.get("/big")
    def big():
        return {"data": ["x" * 40] * 100}

    @app.get("/stream")
    def stream():
        return fw.StreamingResponse(iter([b"a" * 10, b"b" * 2000, b"c"]), media_type="text/plain")

    @app.get("/image")
    def image():
        return fw.Response(b"\x89PNG" * 1000, media_type="image/png")

    @app.get("/encoded")
    def encoded():
        return fw.Response(b"x" * 2000, headers={"content-encoding": "br"})

    return app


def _with_streaming(fw: SimpleNamespace) -> SimpleNamespace:
    responses = fastapi.responses if fw.name == "fastapi" else fastrapi.responses
    fw.StreamingResponse = responses.StreamingResponse
    return fw


@pytest.mark.parametrize("url", ["/", "/big", "/stream", "/image", "/encoded"])
@pytest.mark.parametrize("accept", ["gzip, deflate", "identity", "br"])
def test_gzip_tutorial(url: str, accept: str) -> None:
    _with_streaming(FASTAPI), _with_streaming(FASTRAPI)
    expected = check(gzip_tutorial, "GET", url, headers={"accept-encoding": accept})
    if url == "/big" and accept.startswith("gzip"):
        assert expected.headers["content-encoding"] == "gzip"


def test_gzip_output_is_gzip() -> None:
    _with_streaming(FASTRAPI)
    client = FASTRAPI.TestClient(gzip_tutorial(FASTRAPI))
    for url in ("/big", "/stream"):
        with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
            raw = b"".join(response.iter_raw())
        assert gzip.decompress(raw) == client.get(url, headers={"accept-encoding": "identity"}).content


# -- CORS ---------------------------------------------------------------------------------------


def cors_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    origins = [
        "http://localhost.tiangolo.com",
        "https://localhost.tiangolo.com",
        "http://localhost",
        "http://localhost:8080",
    ]
    app.add_middleware(
        mw(fw).CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )

    @app.get("/")
    async def main():
        return {"message": "Hello World"}

    return app


def cors_options_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(
        mw(fw).CORSMiddleware, allow_origins=["https://a.example"], allow_origin_regex=r"https://.*\.example\.org",
        allow_methods=["GET", "POST"], allow_headers=["X-Custom"], expose_headers=["X-Exposed", "X-Other"],
        max_age=99, allow_private_network=True,
    )

    @app.get("/")
    def main():
        return fw.JSONResponse({"ok": True}, headers={"vary": "Accept-Language"})

    return app


def cors_wildcard_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).CORSMiddleware, allow_origins=["*"])

    @app.get("/")
    def main():
        return {"ok": True}

    return app


PREFLIGHT = {"access-control-request-method": "GET"}


@pytest.mark.parametrize("factory", [cors_tutorial, cors_options_app, cors_wildcard_app])
@pytest.mark.parametrize(("method", "headers"), [
    ("GET", {}),
    ("GET", {"origin": "http://localhost"}),
    ("GET", {"origin": "https://evil.example"}),
    ("GET", {"origin": "https://a.example"}),
    ("GET", {"origin": "https://sub.example.org"}),
    ("GET", {"origin": "https://sub.example.org.evil"}),
    ("OPTIONS", {"origin": "http://localhost:8080", **PREFLIGHT}),
    ("OPTIONS", {"origin": "https://evil.example", **PREFLIGHT}),
    ("OPTIONS", {"origin": "https://a.example", "access-control-request-method": "DELETE"}),
    ("OPTIONS", {"origin": "https://a.example", **PREFLIGHT, "access-control-request-headers": "X-Custom, Accept"}),
    ("OPTIONS", {"origin": "https://a.example", **PREFLIGHT, "access-control-request-headers": "X-Secret"}),
    ("OPTIONS", {"origin": "https://a.example", **PREFLIGHT, "access-control-request-private-network": "true"}),
    ("OPTIONS", {"origin": "https://a.example"}),
    ("OPTIONS", PREFLIGHT),
])
def test_cors(factory: Any, method: str, headers: dict[str, str]) -> None:
    check(factory, method, "/", headers=headers)


# -- Sessions -----------------------------------------------------------------------------------


def session_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    app.add_middleware(mw(fw).SessionMiddleware, secret_key="s3cret", max_age=600)
    Request = fw.Request

    @app.get("/set/{value}")
    def set_value(value: str, request: Request):
        request.session["value"] = value
        return {"ok": True}

    @app.get("/get")
    def get_value(request: Request):
        return {"value": request.session.get("value")}

    @app.get("/clear")
    def clear(request: Request):
        request.session.clear()
        return {"cleared": True}

    @app.get("/untouched")
    def untouched():
        return {}

    return app


def _session_cookie(response: Any) -> str:
    return response.headers["set-cookie"].split(";")[0].split("=", 1)[1]


def test_sessions_answer_alike() -> None:
    expected_client, actual_client = (fw.TestClient(session_app(fw)) for fw in (FASTAPI, FASTRAPI))
    for url in ("/get", "/set/1", "/get", "/untouched", "/clear", "/get", "/clear"):
        expected, actual = expected_client.get(url), actual_client.get(url)
        cookie_free = frozenset({"set-cookie"})
        same(expected, actual, ignore=cookie_free)
        assert ("set-cookie" in actual.headers) == ("set-cookie" in expected.headers), url
        if "set-cookie" in expected.headers:
            # Only the signed value (its timestamp) may differ.
            strip = lambda r: r.headers["set-cookie"].replace(_session_cookie(r), "V")  # noqa: E731
            assert strip(actual) == strip(expected)


def test_session_cookies_are_interchangeable_with_fastapi() -> None:
    """The cookie format is Starlette's (itsdangerous), so sessions survive a move either way."""
    apps = {fw.name: fw.TestClient(session_app(fw)) for fw in (FASTAPI, FASTRAPI)}
    for writer, reader in (("fastapi", "fastrapi"), ("fastrapi", "fastapi")):
        cookie = _session_cookie(apps[writer].get(f"/set/from-{writer}"))
        apps[reader].cookies.set("session", cookie)
        assert apps[reader].get("/get").json() == {"value": f"from-{writer}"}
        # A changed character of the signed payload (the signature's last characters can differ only in
        # base64 padding bits, which would decode to the same signature).
        tampered = ("B" if cookie[0] != "B" else "C") + cookie[1:]
        apps[reader].cookies.set("session", tampered)
        assert apps[reader].get("/get").json() == {"value": None}


# -- Static files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("static")
    (root / "hello.txt").write_text("hello static\n")
    (root / "style.css").write_text("body{}\n")
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("<h1>docs</h1>\n")
    (root / "404.html").write_text("<h1>missing</h1>\n")
    return root


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize(("method", "url", "headers"), [
    ("GET", "/static/hello.txt", {}), ("HEAD", "/static/hello.txt", {}), ("GET", "/static/style.css", {}),
    ("GET", "/static/data.bin", {}), ("POST", "/static/hello.txt", {}), ("GET", "/static/missing.txt", {}),
    ("GET", "/static/docs", {}), ("GET", "/static/docs/", {}), ("GET", "/static", {}), ("GET", "/static/", {}),
    ("GET", "/static/docs/../hello.txt", {}), ("GET", "/static/../secret", {}),
    ("GET", "/static/data.bin", {"range": "bytes=10-19"}), ("GET", "/static/data.bin", {"range": "bytes=-5"}),
    ("GET", "/static/data.bin", {"range": "bytes=1000-"}), ("GET", "/static/data.bin", {"range": "bytes=5000-"}),
    ("GET", "/static/data.bin", {"range": "items=1-2"}), ("GET", "/static/data.bin", {"range": "bytes=9-3"}),
    ("HEAD", "/static/data.bin", {"range": "bytes=0-0"}),
    ("GET", "/static/hello.txt", {"if-none-match": "*"}),
    ("GET", "/static/hello.txt", {"if-none-match": '"nope"'}),
    ("GET", "/static/hello.txt", {"if-modified-since": "Thu, 01 Jan 2099 00:00:00 GMT"}),
    ("GET", "/static/hello.txt", {"if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT"}),
    ("GET", "/url", {}),
])
def test_static_files(static_dir: Path, html: bool, method: str, url: str, headers: dict[str, str]) -> None:
    def static_app(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()
        app.mount("/static", mw(fw).StaticFiles(directory=static_dir, html=html), name="static")

        @app.get("/url")
        def url():
            return app.url_path_for("static", path="/docs/index.html")

        return app

    expected, actual = exchange(_cached(static_app, html), method, url, headers=headers)
    same(expected, actual)


def test_static_conditional_requests_use_the_etag(static_dir: Path) -> None:
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()
        app.mount("/s", mw(fw).StaticFiles(directory=static_dir))
        client = fw.TestClient(app)
        first = client.get("/s/hello.txt")
        again = client.get("/s/hello.txt", headers={"if-none-match": first.headers["etag"]})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", first.headers["etag"])
        multi = client.get("/s/data.bin", headers={"range": "bytes=0-1,4-5"})
        assert multi.status_code == 206
        assert multi.headers["content-type"].startswith("multipart/byteranges; boundary=")
        assert int(multi.headers["content-length"]) == len(multi.content)
        assert b"Content-Range: bytes 4-5/1024" in multi.content


_FACTORIES: dict[Any, Any] = {}


def _cached(builder: Any, key: Any) -> Any:
    """One factory object per key, so ``check``'s client cache is reused across parameters."""
    if key not in _FACTORIES:
        _FACTORIES[key] = lambda fw: builder(fw)
    return _FACTORIES[key]


# -- Events: lifespan, startup/shutdown ----------------------------------------------------------


def lifespan_tutorial(fw: SimpleNamespace) -> Any:
    def fake_answer_to_everything_ml_model(x: float):
        return x * 42

    ml_models = {}

    @asynccontextmanager
    async def lifespan(app):
        ml_models["answer_to_everything"] = fake_answer_to_everything_ml_model
        yield
        ml_models.clear()

    app = fw.FastAPI(lifespan=lifespan)

    @app.get("/predict")
    async def predict(x: float):
        result = ml_models["answer_to_everything"](x)
        return {"result": result}

    return app


def startup_event_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    items = {}

    @app.on_event("startup")
    async def startup_event():
        items["foo"] = {"name": "Fighters"}
        items["bar"] = {"name": "Tenders"}

    @app.get("/items/{item_id}")
    async def read_items(item_id: str):
        return items[item_id]

    return app


def lifespan_state_app(fw: SimpleNamespace) -> Any:
    log: list[str] = []

    @asynccontextmanager
    async def lifespan(app):
        log.append("app up")
        yield {"client": "the-client", "log": log}
        log.append("app down")

    @asynccontextmanager
    async def router_lifespan(app):
        log.append("router up")
        yield {"router_value": 7}
        log.append("router down")

    app = fw.FastAPI(lifespan=lifespan, on_startup=[lambda: log.append("ignored")])
    router = fw.APIRouter(lifespan=router_lifespan)

    @router.get("/state")
    def state(request: fw.Request):
        return {"client": request.state.client, "router_value": request.state.router_value,
                "log": list(request.state.log)}

    app.include_router(router)
    return app


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("factory", "url"), [
    (lifespan_tutorial, "/predict?x=2"), (startup_event_tutorial, "/items/foo"),
    (startup_event_tutorial, "/items/bar"), (lifespan_state_app, "/state"),
])
def test_events(factory: Any, url: str) -> None:
    with started(factory) as (expected_client, actual_client):
        same(expected_client.get(url), actual_client.get(url))


def test_shutdown_runs_on_exit() -> None:
    logs = []
    for fw in (FASTAPI, FASTRAPI):
        app = lifespan_state_app(fw)
        with fw.TestClient(app) as client:
            log = client.get("/state").json()["log"]
        logs.append(log)
    assert logs[0] == logs[1] == ["app up", "router up"]


# -- Settings (the global-object form; ``Depends(get_settings)`` needs the Depends issue) ---------


class Settings(BaseModel):
    """Stands in for pydantic-settings' ``BaseSettings`` (not a test dependency)."""

    app_name: str = "Awesome API"
    admin_email: str = "admin@example.com"
    items_per_user: int = 50


def settings_tutorial(fw: SimpleNamespace) -> Any:
    settings = Settings()
    app = fw.FastAPI()

    @app.get("/info")
    async def info():
        return {
            "app_name": settings.app_name,
            "admin_email": settings.admin_email,
            "items_per_user": settings.items_per_user,
        }

    return app


def test_settings_tutorial() -> None:
    check(settings_tutorial, "GET", "/info")


# -- Testing ------------------------------------------------------------------------------------


def app_testing_tutorial(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/")
    async def read_main():
        return {"msg": "Hello World"}

    return app


def app_testing_extended(fw: SimpleNamespace) -> Any:
    HTTPException, Header = fw.HTTPException, fw.Header
    fake_secret_token = "coneofsilence"
    fake_db = {
        "foo": {"id": "foo", "title": "Foo", "description": "There goes my hero"},
        "bar": {"id": "bar", "title": "Bar", "description": "The bartenders"},
    }
    app = fw.FastAPI()

    class Item(BaseModel):
        id: str
        title: str
        description: str | None = None

    @app.get("/items/{item_id}", response_model=Item)
    async def read_main(item_id: str, x_token: Annotated[str, Header()]):
        if x_token != fake_secret_token:
            raise HTTPException(status_code=400, detail="Invalid X-Token header")
        if item_id not in fake_db:
            raise HTTPException(status_code=404, detail="Item not found")
        return fake_db[item_id]

    @app.post("/items/", response_model=Item)
    async def create_item(item: Item, x_token: Annotated[str, Header()]):
        if x_token != fake_secret_token:
            raise HTTPException(status_code=400, detail="Invalid X-Token header")
        if item.id in fake_db:
            raise HTTPException(status_code=409, detail="Item already exists")
        fake_db[item.id] = item
        return item

    return app


def test_testing_tutorial() -> None:
    check(app_testing_tutorial, "GET", "/")


GOOD = {"x-token": "coneofsilence"}


@pytest.mark.parametrize(("method", "url", "headers", "body"), [
    ("GET", "/items/foo", GOOD, None),
    ("GET", "/items/foo", {"x-token": "hailhydra"}, None),
    ("GET", "/items/baz", GOOD, None),
    ("GET", "/items/foo", {}, None),
    ("POST", "/items/", GOOD, {"id": "foobar", "title": "Foo Bar", "description": "The Foo Barters"}),
    ("POST", "/items/", {"x-token": "hailhydra"}, {"id": "bazz", "title": "Bazz", "description": "Drop the bazz"}),
    ("POST", "/items/", GOOD, {"id": "foo", "title": "The Foo ID Stealers", "description": "x"}),
    ("POST", "/items/", GOOD, {"id": "nodesc", "title": "No description"}),
])
def test_testing_extended(method: str, url: str, headers: dict[str, str], body: Any) -> None:
    check(app_testing_extended, method, url, headers=headers, json=body)


# -- root_path ---------------------------------------------------------------------------------


def root_path_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(root_path="/api/v1")

    @app.get("/items/{item_id}")
    def read_item(item_id: int, request: fw.Request):
        return {"url": str(request.url), "for": str(request.url_for("read_item", item_id=item_id)),
                "base": str(request.base_url)}

    return app


@pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")
def test_root_path() -> None:
    check(root_path_app, "GET", "/api/v1/items/1")


def test_gzip_head() -> None:
    _with_streaming(FASTAPI), _with_streaming(FASTRAPI)
    check(gzip_tutorial, "HEAD", "/big", headers={"accept-encoding": "gzip"})


@pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")
def test_root_path_stripped_by_the_proxy() -> None:
    check(root_path_app, "GET", "/items/1")
