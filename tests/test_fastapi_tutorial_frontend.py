"""The "Frontend" page of FastAPI 0.165, against FastAPI: ``app.frontend("/", directory="dist")`` in its six
shapes (``fallback`` auto, ``"index.html"``, ``"404.html"``, ``None``, ``check_dir=False``, an ``APIRouter``
included with a prefix), then what a user of a single-page app sees: API routes (declared before or after)
answer first, a deep link gets ``index.html`` only when a browser navigates, a missing asset stays a 404,
HEAD, other methods, ``..`` in the URL, conditional and Range requests, dependencies, the docs pages and
``/openapi.json``; at the end one app on real servers.
"""

import os
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.differential import FASTAPI, FASTRAPI, check, exchange, normalized_headers
from tests.servers import SERVE, WORKER, LiveServer, run_server

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SECRET = b"outside the build - never served"
FILES = {
    "spa/index.html": b"<!doctype html><div id=app></div>",
    "spa/assets/app.js": b"console.log('spa')\n",
    "spa/assets/app.css": b"body{margin:0}",
    "spa/about/index.html": b"<h1>about</h1>",
    "spa/api/users": b"a file shadowed by the API route",
    "spa/numbers.bin": bytes(range(100)),
    "site/index.html": b"<h1>site</h1>",
    "site/404.html": b"<h1>no such page</h1>",
    "site/assets/app.js": b"console.log('site')\n",
    "admin/index.html": b"<h1>admin</h1>",
    "admin/admin.js": b"console.log('admin')\n",
    "only404/404.html": b"<h1>lost</h1>",
    "secret.txt": SECRET,
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("frontend")
    for name, content in FILES.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (base / "spa" / "empty").mkdir()
    os.symlink(base / "secret.txt", base / "spa" / "link-out")
    os.symlink(base / "spa" / "assets" / "app.js", base / "spa" / "link-in.js")
    return base


Factory = Callable[[SimpleNamespace], Any]


@pytest.fixture(scope="module")
def apps(root: Path) -> dict[str, Factory]:
    """The app factories, made once per module so that ``check``'s clients are built once each."""
    spa, site = root / "spa", root / "site"

    def frontend_only(directory: Path, **options: Any) -> Factory:
        def factory(fw: SimpleNamespace) -> Any:
            app = fw.FastAPI()
            app.frontend("/", directory=directory, **options)
            return app
        return factory

    def included(fw: SimpleNamespace) -> Any:  # tutorial004
        app = fw.FastAPI()
        router = fw.APIRouter()
        router.frontend("/", directory=spa, fallback="index.html")
        app.include_router(router, prefix="/app")
        return app

    def with_api(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/api/users")
        def users() -> list[str]:
            return ["ada"]

        @app.get("/api/missing")
        def missing() -> None:
            raise fw.HTTPException(status_code=404, detail="no such user")

        @app.get("/items/")
        def items() -> list[int]:
            return [1]

        app.frontend("/", directory=spa, fallback="index.html")

        @app.get("/late")
        def late() -> dict[str, str]:
            return {"declared": "after the frontend"}

        @app.post("/form")
        def form() -> dict[str, str]:
            return {"posted": "yes"}

        api = fw.APIRouter(prefix="/v1")

        @api.get("/ping")
        def ping() -> dict[str, bool]:
            return {"pong": True}

        app.include_router(api)
        return app

    def several(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()
        app.frontend("/", directory=site, fallback="index.html")
        app.frontend("/admin", directory=root / "admin", fallback="index.html")
        internal = fw.APIRouter(prefix="/internal")
        internal.frontend("/ui/", directory=spa)
        app.include_router(internal, prefix="/prefix")
        return app

    return {
        "tutorial001": frontend_only(spa),
        "tutorial001-404": frontend_only(site),
        "tutorial002": frontend_only(spa, fallback="index.html"),
        "tutorial003": frontend_only(root / "only404", fallback="404.html"),
        "tutorial004": included,
        "tutorial005": frontend_only(spa, fallback=None),
        "tutorial006": frontend_only(spa, check_dir=False),
        "tutorial006-missing": frontend_only(root / "not-built-yet", check_dir=False),
        "with_api": with_api,
        "several": several,
    }


TUTORIALS = ["tutorial001", "tutorial001-404", "tutorial002", "tutorial003", "tutorial004", "tutorial005",
             "tutorial006"]
PATHS = ["/", "/index.html", "/assets/app.js", "/assets/app.css", "/assets/missing.js", "/about", "/about/",
         "/about?tab=1", "/empty/", "/empty", "/dashboard/settings", "/users/jane.doe", "/404.html",
         "/app", "/app/", "/app/dashboard", "/app/assets/app.js", "/app/about", "/link-in.js", "/link-out"]
ACCEPTS = [None, BROWSER, "*/*", "application/json", "text/html; q=0, */*", "application/xhtml+xml",
           "text/html; charset=utf-8; q=0.5", "text/html; q=wat", "TEXT/HTML"]


def _headers(accept: str | None) -> dict[str, str]:
    return {} if accept is None else {"accept": accept}


@pytest.mark.parametrize("accept", [None, BROWSER])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tutorial", TUTORIALS)
def test_tutorials(apps: dict[str, Factory], tutorial: str, path: str, accept: str | None) -> None:
    check(apps[tutorial], "GET", path, headers=_headers(accept))


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("tutorial", ["tutorial001", "tutorial002", "tutorial004"])
def test_only_a_browser_navigating_gets_index_html(apps: dict[str, Factory], tutorial: str,
                                                   accept: str | None) -> None:
    path = "/app/dashboard/settings" if tutorial == "tutorial004" else "/dashboard/settings"
    expected = check(apps[tutorial], "GET", path, headers=_headers(accept))
    assert expected.status_code in (200, 404)


def test_a_deep_link_and_a_missing_asset(apps: dict[str, Factory]) -> None:
    spa = apps["tutorial002"]
    deep = check(spa, "GET", "/dashboard/settings/42", headers={"accept": BROWSER})
    assert (deep.status_code, deep.content) == (200, FILES["spa/index.html"])
    asset = check(spa, "GET", "/assets/missing.js", headers={"accept": "*/*"})
    assert (asset.status_code, asset.json()) == (404, {"detail": "Not Found"})
    lost = check(apps["tutorial003"], "GET", "/assets/missing.js")
    assert (lost.status_code, lost.content) == (404, FILES["only404/404.html"])


@pytest.mark.parametrize("path", ["/assets/app.js", "/", "/about/", "/dashboard", "/assets/missing.js", "/about"])
@pytest.mark.parametrize("tutorial", ["tutorial001-404", "tutorial002", "tutorial003", "tutorial005"])
def test_head(apps: dict[str, Factory], tutorial: str, path: str) -> None:
    check(apps[tutorial], "HEAD", path, headers={"accept": BROWSER})


@pytest.mark.parametrize("path", ["/assets/app.js", "/", "/about/", "/about", "/empty/", "/dashboard", "/missing.js"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("tutorial", ["tutorial001", "tutorial002", "tutorial003", "tutorial004"])
def test_other_methods(apps: dict[str, Factory], tutorial: str, method: str, path: str) -> None:
    """405 for a file or directory index, 404 for the rest (the fallback is for GET), Accept or not."""
    check(apps[tutorial], method, path, headers={"accept": BROWSER})


TRAVERSALS = ["/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt",
              "/assets/..%2f..%2fsecret.txt", "/%5c..%5csecret.txt", "/..%5csecret.txt", "/link-out",
              "/about/%2e%2e/%2e%2e/secret.txt", "/a%00b", "/assets/app.js%00.png", "/" + "a" * 300,
              "/assets/%2e%2e/assets/app.js", "/" + "..%2f" * 20 + "etc%2fpasswd"]


@pytest.mark.parametrize("accept", [None, BROWSER])
@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("tutorial", ["tutorial001", "tutorial002", "tutorial003", "tutorial004"])
def test_no_way_out_of_the_directory(apps: dict[str, Factory], tutorial: str, path: str,
                                     accept: str | None) -> None:
    if tutorial == "tutorial004":
        path = "/app" + path
    expected = check(apps[tutorial], "GET", path, headers=_headers(accept))
    assert SECRET not in expected.content


@pytest.mark.parametrize(("tutorial", "path"), [
    ("tutorial001", "/assets/app.js"), ("tutorial002", "/dashboard"), ("tutorial003", "/missing"),
    ("tutorial004", "/app/"), ("tutorial001", "/about/"),
])
def test_conditional_requests(apps: dict[str, Factory], tutorial: str, path: str) -> None:
    """The validators work for the fallback files as for the others: a 304 (a 404 page too)."""
    first = check(apps[tutorial], "GET", path, headers={"accept": BROWSER})
    for headers in ({"if-none-match": first.headers["etag"]}, {"if-none-match": '"other", ' + first.headers["etag"]},
                    {"if-none-match": '"other"'}, {"if-modified-since": first.headers["last-modified"]},
                    {"if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT"}):
        answer = check(apps[tutorial], "GET", path, headers={"accept": BROWSER, **headers})
        assert answer.status_code in (200, 304, 404)


@pytest.mark.parametrize("range_", ["bytes=0-9", "bytes=90-", "bytes=-5", "bytes=200-300"])
def test_ranges(apps: dict[str, Factory], range_: str) -> None:
    check(apps["tutorial001"], "GET", "/numbers.bin", headers={"range": range_})


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/users"), ("GET", "/late"), ("GET", "/v1/ping"), ("GET", "/api/missing"), ("POST", "/api/users"),
    ("HEAD", "/api/users"), ("GET", "/items"), ("GET", "/items/"), ("GET", "/late/"), ("GET", "/form"),
    ("POST", "/form"), ("GET", "/api/users/1"), ("GET", "/v1/missing"), ("GET", "/api"), ("POST", "/assets/app.js"),
    ("GET", "/openapi.json"),
])
@pytest.mark.parametrize("accept", [None, BROWSER])
def test_api_routes_answer_first(apps: dict[str, Factory], method: str, path: str, accept: str | None) -> None:
    """Routes declared before or after the frontend, or included later, win over it; so do their 405s and
    trailing-slash redirects; an API 404 stays the API's."""
    check(apps["with_api"], method, path, headers=_headers(accept))


def test_api_route_beats_a_file_of_the_same_name(apps: dict[str, Factory]) -> None:
    expected = check(apps["with_api"], "GET", "/api/users", headers={"accept": BROWSER})
    assert expected.json() == ["ada"]


def test_the_document_leaves_frontends_out(apps: dict[str, Factory]) -> None:
    expected = check(apps["with_api"], "GET", "/openapi.json")
    assert set(expected.json()["paths"]) == {"/api/users", "/api/missing", "/items/", "/late", "/form", "/v1/ping"}


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_are_still_the_docs(apps: dict[str, Factory], page: str) -> None:
    """fastrapi's pages are its own templates (differences.md): the same page with or without a frontend."""
    expected, actual = exchange(apps["with_api"], "GET", page, headers={"accept": BROWSER})
    assert (actual.status_code, actual.headers["content-type"]) == (expected.status_code,
                                                                     expected.headers["content-type"]) == (
        200, "text/html; charset=utf-8")
    plain = FASTRAPI.TestClient(FASTRAPI.FastAPI()).get(page)
    assert actual.content == plain.content


@pytest.mark.parametrize("path", [
    "/", "/settings", "/admin", "/admin/", "/admin/settings", "/admin/admin.js", "/administrator", "/assets/app.js",
    "/prefix/internal/ui", "/prefix/internal/ui/", "/prefix/internal/ui/assets/app.js", "/prefix/internal/uix",
    "/prefix/internal/ui/deep/link", "/prefix/internal", "/prefix/internal/ui/about",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_longest_prefix_answers(apps: dict[str, Factory], method: str, path: str) -> None:
    check(apps["several"], method, path, headers={"accept": BROWSER})


def test_a_directory_not_built_yet(apps: dict[str, Factory]) -> None:
    """``check_dir=False``: the app starts; a request is a 500 until the directory is there."""
    expected = check(apps["tutorial006-missing"], "GET", "/assets/app.js")
    assert expected.status_code == 500


def _dependency_app(fw: SimpleNamespace, calls: list[str], root: Path) -> Any:
    def session(request: fw.Request, response: fw.Response, tasks: fw.BackgroundTasks) -> None:
        calls.append(request.url.path)
        if request.cookies.get("session") != "ok":
            raise fw.HTTPException(status_code=401, detail="log in first")
        response.headers["x-frontend"] = "checked"
        response.set_cookie("seen", "yes")
        tasks.add_task(calls.append, "task")

    def token(token: str) -> None:
        calls.append("token")

    app = fw.FastAPI(dependencies=[fw.Depends(session)])

    @app.get("/api/me")
    def me() -> dict[str, str]:
        return {"me": "ada"}

    app.frontend("/", directory=root / "spa", fallback="index.html")
    admin = fw.APIRouter(dependencies=[fw.Depends(token)])
    admin.frontend("/", directory=root / "admin", fallback="index.html")
    app.include_router(admin, prefix="/admin")
    return app


@pytest.mark.parametrize(("method", "path", "cookie", "query"), [
    ("GET", "/", None, ""), ("GET", "/", "ok", ""), ("GET", "/assets/app.js", "ok", ""),
    ("GET", "/dashboard", "ok", ""), ("GET", "/dashboard", None, ""), ("HEAD", "/assets/app.js", "ok", ""),
    ("POST", "/assets/app.js", None, ""), ("POST", "/dashboard", None, ""), ("GET", "/api/me", "ok", ""),
    ("GET", "/admin/", "ok", ""), ("GET", "/admin/", "ok", "?token=t"), ("GET", "/admin/admin.js", None, "?token=t"),
    ("GET", "/missing.js", "ok", ""),
])
def test_dependencies(root: Path, method: str, path: str, cookie: str | None, query: str) -> None:
    """The app's and routers' dependencies run for a GET or HEAD the frontend answers (their 401 and 422,
    response headers, cookies and tasks), not for other methods and not when an API route answers."""
    seen = []
    for fw in (FASTAPI, FASTRAPI):
        calls: list[str] = []
        client = fw.TestClient(_dependency_app(fw, calls, root), raise_server_exceptions=False)
        if cookie is not None:
            client.cookies.set("session", cookie)
        response = client.request(method, path + query, headers={"accept": BROWSER})
        seen.append((response.status_code, normalized_headers(response), response.content, calls))
    assert seen[1] == seen[0]


def _overridden(fw: SimpleNamespace, root: Path) -> tuple[int, int]:
    def locked() -> None:
        raise fw.HTTPException(status_code=403)

    def unlocked() -> None:
        pass

    app = fw.FastAPI(dependencies=[fw.Depends(locked)])
    app.frontend("/", directory=root / "spa")
    client = fw.TestClient(app)
    before = client.get("/").status_code
    app.dependency_overrides[locked] = unlocked
    return before, client.get("/").status_code


def test_dependency_overrides(root: Path) -> None:
    assert _overridden(FASTRAPI, root) == _overridden(FASTAPI, root) == (403, 200)


def test_routes_added_after_including(root: Path) -> None:
    """The inclusion is live: a route the router gets afterwards answers before its frontend."""
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        router = fw.APIRouter()
        router.frontend("/", directory=root / "spa", fallback="index.html")
        app = fw.FastAPI()
        app.include_router(router, prefix="/app")
        client = fw.TestClient(app)
        before = client.get("/app/dashboard", headers={"accept": BROWSER}).content

        @router.get("/dashboard")
        def dashboard() -> dict[str, str]:
            return {"from": "api"}

        answers.append((before, client.get("/app/dashboard", headers={"accept": BROWSER}).content))
    assert answers[1] == answers[0] == (FILES["spa/index.html"], b'{"from":"api"}')


def _error(fw: SimpleNamespace, on: str, options: dict[str, Any]) -> tuple[type[BaseException], str] | None:
    try:
        (fw.FastAPI() if on == "app" else fw.APIRouter()).frontend(**options)
    except (AssertionError, RuntimeError) as exc:
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("options", [
    {"path": "/", "directory": "missing"}, {"path": "/", "directory": "missing", "check_dir": True},
    {"path": "/", "directory": "dist", "fallback": "index.html"},
    {"path": "/", "directory": "dist", "fallback": "404.html"},
    {"path": "/", "directory": "dist", "fallback": "index"}, {"path": "", "directory": "dist"},
    {"path": "app", "directory": "dist"}, {"path": "/", "directory": "dist"},
    {"path": "/", "directory": "missing", "check_dir": False},
])
@pytest.mark.parametrize("on", ["app", "router"])
def test_mistakes_fail_when_the_app_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             options: dict[str, Any], on: str) -> None:
    """A missing directory or fallback file, a bad path or fallback: the same error, naming the absolute path."""
    (tmp_path / "dist").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FASTAPI_ENV", raising=False)
    assert _error(FASTRAPI, on, options) == _error(FASTAPI, on, options)


def test_fallback_file_missing_at_request_time(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    errors = []
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()
        app.frontend("/", directory=tmp_path / "dist", fallback="404.html", check_dir=False)
        with pytest.raises(RuntimeError) as info:
            fw.TestClient(app).get("/missing.js")
        errors.append(str(info.value))
    assert errors[1] == errors[0]
    assert str(tmp_path / "dist") in errors[0]


@pytest.mark.parametrize("on", ["app", "router"])
def test_development_warns_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on: str) -> None:
    """``FASTAPI_ENV=development`` (``fastapi dev``): a missing directory is a warning at the user's line."""
    monkeypatch.setenv("FASTAPI_ENV", "development")
    seen = []
    for fw in (FASTAPI, FASTRAPI):
        target = fw.FastAPI() if on == "app" else fw.APIRouter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            target.frontend("/", directory=tmp_path / "missing")
        seen.append([(w.category, str(w.message), w.filename) for w in caught])
    assert seen[1] == seen[0]
    assert len(seen[0]) == 1 and seen[0][0][2] == __file__


def test_the_tutorials_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``directory="dist"``, relative to where the app runs, each tutorial's one line."""
    for name, content in {"index.html": b"<p>index</p>", "404.html": b"<p>404</p>", "asset.txt": b"asset"}.items():
        (tmp_path / "dist").mkdir(exist_ok=True)
        (tmp_path / "dist" / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    shapes: list[Callable[[Any], None]] = [
        lambda app: app.frontend("/", directory="dist"),
        lambda app: app.frontend("/", directory="dist", fallback="index.html"),
        lambda app: app.frontend("/", directory="dist", fallback="404.html"),
        lambda app: app.frontend("/", directory="dist", fallback=None),
        lambda app: app.frontend("/", directory="dist", check_dir=False),
    ]
    for shape in shapes:
        answers = []
        for fw in (FASTAPI, FASTRAPI):
            app = fw.FastAPI()
            shape(app)
            client = fw.TestClient(app)
            answers.append([(r.status_code, r.content) for r in (
                client.get(path, headers={"accept": BROWSER}) for path in ("/asset.txt", "/dashboard", "/"))])
        assert answers[1] == answers[0]


def _through_middleware(fw: SimpleNamespace, root: Path) -> tuple[int, str, list[str]]:
    calls: list[str] = []
    app = fw.FastAPI()

    @app.middleware("http")
    async def record(request: Any, call_next: Any) -> Any:
        calls.append(request.url.path)
        response = await call_next(request)
        response.headers["x-seen"] = "1"
        return response

    app.frontend("/", directory=root / "spa")
    response = fw.TestClient(app).get("/assets/app.js")
    return response.status_code, response.headers["x-seen"], calls


def test_middleware_sees_frontend_requests(root: Path) -> None:
    assert _through_middleware(FASTRAPI, root) == _through_middleware(FASTAPI, root) == (
        200, "1", ["/assets/app.js"])


# -- on real servers --------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[SERVE, WORKER])
def live(request: pytest.FixtureRequest, root: Path) -> Iterator[LiveServer]:
    env = {"FASTRAPI_TEST_FRONTEND_DIR": str(root / "spa")}
    with run_server(request.param, "tests.apps.frontend_app:app", env=env) as server:
        yield server


def test_a_single_page_app_on_a_server(live: LiveServer) -> None:
    """The asset (sendfile under gunicorn), a deep link, the API, a 304, HEAD, POST, and a raw ``..``."""
    status, headers, body = live.request("GET", "/assets/app.js")
    assert (status, body, headers["content-type"]) == (200, FILES["spa/assets/app.js"],
                                                       "text/javascript; charset=utf-8")
    assert live.request("GET", "/inbox/42", headers={"Accept": BROWSER})[::2] == (200, FILES["spa/index.html"])
    assert live.request("GET", "/inbox/42")[::2] == (404, b'{"detail":"Not Found"}')
    assert live.request("GET", "/api/ping", headers={"Accept": BROWSER})[::2] == (200, b'{"pong":true}')
    assert live.request("GET", "/assets/app.js", headers={"If-None-Match": headers["etag"]})[::2] == (304, b"")
    status, head_headers, body = live.request("HEAD", "/assets/app.js")
    assert (status, head_headers["content-length"], body) == (200, str(len(FILES["spa/assets/app.js"])), b"")
    assert live.request("POST", "/assets/app.js")[0] == 405
    for target in ("/../secret.txt", "/assets/../../secret.txt", "/link-out"):
        status, _, body = live.request("GET", target, headers={"Accept": BROWSER})
        assert SECRET not in body and status in (200, 404)


def test_the_docs_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/bigger-applications.md's block: the API route, a deep link and a script's missing asset."""
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_bytes(b"<div id=app></div>")
    monkeypatch.chdir(tmp_path)
    page = (Path(__file__).resolve().parent.parent / "docs" / "bigger-applications.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    namespace: dict[str, Any] = {"__name__": "docs_bigger_applications"}
    exec(compile(block, "bigger-applications.md", "exec"), namespace)
    client = FASTRAPI.TestClient(namespace["app"])
    assert client.get("/api/users", headers={"accept": BROWSER}).json() == [{"name": "Ada"}]
    assert client.get("/dashboard/settings", headers={"accept": BROWSER}).content == b"<div id=app></div>"
    assert client.get("/assets/app.js", headers={"accept": "*/*"}).status_code == 404


def test_a_frontend_route_is_listed_in_app_routes_and_still_tried_last(root: Path) -> None:
    """On purpose (docs/differences.md): FastAPI keeps frontends out of ``app.routes``; fastrapi lists them."""
    app = FASTRAPI.FastAPI()
    app.frontend("/", directory=root / "spa", fallback="index.html")

    @app.get("/api")
    def api() -> dict[str, bool]:
        return {"api": True}

    assert [type(route).__name__ for route in app.routes][-2:] == ["FrontendRoute", "APIRoute"]
    assert FASTRAPI.TestClient(app).get("/api").json() == {"api": True}
