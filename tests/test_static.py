"""StaticFiles: no way out of the directory, conditional and Range requests, on TestClient and real servers.

The answers FastAPI gives for the same requests are in test_differential_bigger.py; here are the
hostile paths (sent raw over HTTP, since HTTP clients normalise ``..`` away) and the server paths
(gunicorn's sendfile for a Range, pywsgi's chunks).
"""

from __future__ import annotations

import http.client
import os
from pathlib import Path

import pytest

from fastrapi import FastrAPI
from fastrapi.staticfiles import StaticFiles, safe_parts
from fastrapi.testclient import TestClient
from tests.servers import SERVE, WORKER, LiveServer, run_server

SECRET = b"TOP SECRET - must never be served"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """root/{secret.txt, private/, static-private/, static/{hello.txt, docs/, links}}; serve root/static."""
    root = tmp_path_factory.mktemp("tree")
    (root / "secret.txt").write_bytes(SECRET)
    (root / "private").mkdir()
    (root / "private" / "secret.txt").write_bytes(SECRET)
    (root / "static-private").mkdir()
    (root / "static-private" / "secret.txt").write_bytes(SECRET)
    static = root / "static"
    (static / "docs").mkdir(parents=True)
    (static / "hello.txt").write_bytes(b"hello")
    (static / "docs" / "index.html").write_bytes(b"<h1>docs</h1>")
    (static / "big.bin").write_bytes(os.urandom(300 * 1024))
    os.symlink(root / "private", static / "link-out")
    os.symlink(root / "secret.txt", static / "link-file")
    os.symlink(static / "hello.txt", static / "link-in")
    return root


HOSTILE = [
    "/static/../secret.txt",
    "/static/../../secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/.%2e/secret.txt",
    "/static/docs/../../secret.txt",
    "/static/docs/..%2f..%2fsecret.txt",
    "/static/docs/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e%252fsecret.txt",
    "/static/..%252fsecret.txt",
    "/static/..\\secret.txt",
    "/static/..%5csecret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/%2f..%2fsecret.txt",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/link-out/secret.txt",
    "/static/link-file",
    "/static/hello.txt%00.png",
    "/static/%00",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/..;/secret.txt",
    "/static/../static-private/secret.txt",
    "/static/..%2fstatic-private%2fsecret.txt",
    "/static/....//secret.txt",
    "/static/%u002e%u002e/secret.txt",
    "/static/" + "a" * 300,
    "/static/" + "../" * 30 + "etc/passwd",
]


def _assert_refused(status: int, body: bytes) -> None:
    assert status in (400, 401, 403, 404)
    assert SECRET not in body
    assert b"root:" not in body


@pytest.fixture(scope="module")
def live(tree: Path) -> LiveServer:
    env = {"FASTRAPI_TEST_STATIC_DIR": str(tree / "static")}
    with run_server(SERVE, "tests.apps.static_app:app", env=env) as server:
        yield server


def raw_get(server: LiveServer, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_paths_are_refused_over_http(live: LiveServer, target: str) -> None:
    _assert_refused(*raw_get(live, target))


def test_the_suite_is_not_vacuous(live: LiveServer) -> None:
    assert len(HOSTILE) >= 20
    assert raw_get(live, "/static/hello.txt") == (200, b"hello")
    assert raw_get(live, "/static/link-in") == (200, b"hello")  # a symlink inside is fine
    assert raw_get(live, "/static/docs/../hello.txt") == (200, b"hello")  # stays inside
    # Symlinks out are served only when the mount allows them.
    assert raw_get(live, "/follow/link-out/secret.txt") == (200, SECRET)
    _assert_refused(*raw_get(live, "/follow/../secret.txt"))


@pytest.mark.parametrize("path", [p.removeprefix("/static") for p in HOSTILE if "%" not in p])
def test_hostile_paths_are_refused_as_path_info(tree: Path, path: str) -> None:
    """Straight to the WSGI app, as a server that decodes the path would hand it over."""
    static = StaticFiles(directory=tree / "static")
    answer: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "/static", "wsgi.url_scheme": "http",
               "SERVER_NAME": "x", "SERVER_PORT": "80"}
    body = b"".join(static(environ, lambda status, headers, exc_info=None: answer.append(status)))
    _assert_refused(int(answer[0][:3]), body)


@pytest.mark.parametrize(("path", "parts"), [
    ("/a/b", ["a", "b"]), ("/a/./b/", ["a", "b"]), ("/a/../b", ["b"]), ("/..", None), ("/a/../../b", None),
    ("/a\x00", None), ("//a//b", ["a", "b"]),
])
def test_safe_parts(path: str, parts: list[str] | None) -> None:
    assert safe_parts(path) == parts


def test_range_through_gunicorns_sendfile(tree: Path) -> None:
    """gunicorn sends a Range with sendfile from the file wrapper: exactly the bytes asked for."""
    data = (tree / "static" / "big.bin").read_bytes()
    env = {"FASTRAPI_TEST_STATIC_DIR": str(tree / "static")}
    with run_server(WORKER, "tests.apps.static_app:app", env=env) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            for first, last in ((10, 19), (100_000, 299_999), (0, 0)):
                conn.request("GET", "/static/big.bin", headers={"Range": f"bytes={first}-{last}"})
                response = conn.getresponse()
                assert response.status == 206
                assert response.getheader("content-range") == f"bytes {first}-{last}/{len(data)}"
                assert response.read() == data[first:last + 1]
            conn.request("GET", "/static/big.bin")  # the same connection still in step
            assert conn.getresponse().read() == data
        finally:
            conn.close()


def test_range_on_the_embedded_server(live: LiveServer, tree: Path) -> None:
    data = (tree / "static" / "big.bin").read_bytes()
    status, body = raw_get(live, "/static/big.bin", {"Range": "bytes=70000-140000"})
    assert (status, body) == (206, data[70000:140001])
    assert raw_get(live, "/static/big.bin")[1] == data


def test_check_dir(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="does not exist"):
        StaticFiles(directory=tmp_path / "missing")
    lazy = StaticFiles(directory=tmp_path / "missing", check_dir=False)
    app = FastrAPI()
    app.mount("/s", lazy)
    with pytest.raises(RuntimeError, match="does not exist"):
        TestClient(app).get("/s/x")


def test_standalone_and_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a FastrAPI app StaticFiles answers its own errors, in plain text."""
    package = tmp_path / "assets_pkg"
    (package / "statics").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "statics" / "app.js").write_text("js()")
    monkeypatch.syspath_prepend(str(tmp_path))
    client = TestClient(StaticFiles(packages=["assets_pkg"]))
    assert client.get("/app.js").text == "js()"
    missing = client.get("/nope.js")
    assert (missing.status_code, missing.text) == (404, "Not Found")
    post = client.post("/app.js")
    assert (post.status_code, post.headers["allow"]) == (405, "GET, HEAD")
