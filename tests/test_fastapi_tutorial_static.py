"""The "Static Files" tutorial, against FastAPI: ``app.mount("/static", StaticFiles(...), name="static")``
next to API routes, and a site mounted at ``/`` with ``html=True``. Beyond the basics in
test_differential_bigger.py: content types by extension, names needing percent-encoding, ``If-Range``,
multiple ranges, HEAD, ``url_for`` to a static file and ``..`` in the URL.
"""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import fastapi.staticfiles
import pytest

import fastrapi.staticfiles
from tests.differential import FASTAPI, FASTRAPI, exchange, normalized_headers

STATIC_FILES = {fw.name: cls for fw, cls in (
    (FASTAPI, fastapi.staticfiles.StaticFiles), (FASTRAPI, fastrapi.staticfiles.StaticFiles))}

FILES = {
    "app.js": b"console.log(1);\n",
    "logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "data.json": b'{"a": 1}',
    "pixel.png": b"\x89PNG\r\n\x1a\n" + bytes(32),
    "font.woff2": b"wOF2" + bytes(12),
    "notes.md": b"# notes\n",
    "archive.tar.gz": bytes(64),
    "noext": b"plain bytes",
    "with space.txt": b"spaced",
    "caf\u00e9.txt": "caf\u00e9".encode(),
    "index.html": b"<h1>home</h1>",
    "blog/index.html": b"<h1>blog</h1>",
    "blog/post.html": b"<p>post</p>",
    "numbers.bin": bytes(range(200)),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "empty").mkdir()
    return root


_FACTORIES: dict[str, Any] = {}


def tutorial_app(site: Path) -> Any:
    """API routes plus ``/static``; one factory per site so the differential clients are built once."""
    key = f"tutorial:{site}"
    if key not in _FACTORIES:
        def factory(fw: SimpleNamespace) -> Any:
            app = fw.FastAPI()
            app.mount("/static", STATIC_FILES[fw.name](directory=site), name="static")

            @app.get("/items/{item_id}")
            def read_item(item_id: int) -> dict[str, int]:
                return {"item_id": item_id}

            @app.get("/link")
            def link(request: fw.Request) -> dict[str, str]:
                return {"logo": str(request.url_for("static", path="logo.svg")),
                        "path": app.url_path_for("static", path="/blog/post.html")}

            return app
        _FACTORIES[key] = factory
    return _FACTORIES[key]


def site_app(site: Path) -> Any:
    """A whole site at ``/`` with ``html=True``, after an API route."""
    key = f"site:{site}"
    if key not in _FACTORIES:
        def factory(fw: SimpleNamespace) -> Any:
            app = fw.FastAPI()

            @app.get("/api/ping")
            def ping() -> dict[str, bool]:
                return {"pong": True}

            app.mount("/", STATIC_FILES[fw.name](directory=site, html=True), name="site")
            return app
        _FACTORIES[key] = factory
    return _FACTORIES[key]


def same(factory: Any, method: str, url: str, **kwargs: Any) -> Any:
    expected, actual = exchange(factory, method, url, **kwargs)
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert normalized_headers(actual) == normalized_headers(expected)
    return expected


@pytest.mark.parametrize("name", [
    "app.js", "logo.svg", "data.json", "pixel.png", "font.woff2", "notes.md", "archive.tar.gz", "noext",
    "with%20space.txt", "caf%C3%A9.txt", "blog/post.html", "index.html",
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_content_types_and_validators(site: Path, name: str, method: str) -> None:
    expected = same(tutorial_app(site), method, f"/static/{name}")
    assert expected.status_code == 200
    assert {"etag", "last-modified", "content-type", "content-length"} <= set(expected.headers)


@pytest.mark.parametrize("url", [
    "/static/missing.js", "/static/blog", "/static/blog/", "/static/empty/", "/static/", "/static",
    "/static/blog/../app.js", "/static/blog/%2e%2e/app.js", "/static/../static/app.js", "/static//app.js",
    "/items/3", "/items/x", "/link",
])
def test_tutorial_mount(site: Path, url: str) -> None:
    same(tutorial_app(site), "GET", url)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods(site: Path, method: str) -> None:
    same(tutorial_app(site), method, "/static/app.js")


@pytest.mark.parametrize("headers", [
    {"range": "bytes=0-9"}, {"range": "bytes=190-"}, {"range": "bytes=-1"}, {"range": "bytes=0-0, 5-6"},
    {"range": "bytes=0-4,2-8"}, {"range": "bytes=300-400"}, {"range": "bytes=abc"},
    {"range": "bytes=0-9", "if-range": '"not-the-etag"'},
    {"range": "bytes=0-9", "if-range": "Thu, 01 Jan 1970 00:00:00 GMT"},
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_ranges(site: Path, headers: dict[str, str], method: str) -> None:
    expected, actual = exchange(tutorial_app(site), method, "/static/numbers.bin", headers=headers)
    assert actual.status_code == expected.status_code
    if expected.headers.get("content-type", "").startswith("multipart/byteranges"):
        # The part boundary is random on both sides: compare the parts with it taken out.
        boundaries = [r.headers["content-type"].split("boundary=")[1] for r in (expected, actual)]
        assert actual.content.replace(boundaries[1].encode(), b"B") == expected.content.replace(
            boundaries[0].encode(), b"B")
        ignore = frozenset({"content-type"})
    else:
        assert actual.content == expected.content
        ignore = frozenset()
    assert normalized_headers(actual, ignore) == normalized_headers(expected, ignore)


def test_if_range_with_the_current_etag_gets_the_range(site: Path) -> None:
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()
        app.mount("/static", STATIC_FILES[fw.name](directory=site))
        client = fw.TestClient(app)
        etag = client.get("/static/numbers.bin").headers["etag"]
        response = client.get("/static/numbers.bin", headers={"range": "bytes=0-3", "if-range": etag})
        answers.append((response.status_code, response.headers["content-range"], response.content))
    assert answers[1] == answers[0] == (206, "bytes 0-3/200", bytes(range(4)))


@pytest.mark.parametrize("url", [
    "/", "/index.html", "/blog", "/blog/", "/blog/post.html", "/empty/", "/missing", "/api/ping", "/api/pong",
    "/blog/../index.html",
])
def test_site_at_root_with_html(site: Path, url: str) -> None:
    same(site_app(site), "GET", url)


def test_openapi_leaves_mounts_out(site: Path) -> None:
    same(tutorial_app(site), "GET", "/openapi.json")


def test_a_name_too_long_is_a_plain_404(tmp_path: Path) -> None:
    """A name the file system refuses (ENAMETOOLONG) is Starlette's 404 at once, not the site's 404.html."""
    (tmp_path / "404.html").write_bytes(b"<h1>not here</h1>")
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()
        app.mount("/", STATIC_FILES[fw.name](directory=tmp_path, html=True))
        response = fw.TestClient(app).get("/" + "a" * 300)
        answers.append((response.status_code, response.content))
    assert answers[1] == answers[0] == (404, b'{"detail":"Not Found"}')
