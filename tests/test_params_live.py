"""Bad input on real servers: every kind answers 4xx with FastAPI's body, and the next request on the
same keep-alive connection is served normally (``app.serve()`` and ``gunicorn -k gevent``)."""

import http.client
import json
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")

from pydantic import BaseModel

import tests.test_differential_params  # noqa: F401  (gives the namespaces Form, File and UploadFile)
from tests.differential import FASTAPI, FASTRAPI
from tests.servers import run_server


class Item(BaseModel):
    name: str
    price: float


def live_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/ok")
    def ok():
        return {"ok": True}

    @app.get("/items/{item_id}")
    def read_item(item_id: int, q: Annotated[str | None, fw.Query(max_length=3)] = None):
        return {"item_id": item_id, "q": q}

    @app.post("/items")
    def create(item: Item):
        return item

    @app.post("/login")
    def login(username: Annotated[str, fw.Form()], password: Annotated[str, fw.Form()]):
        return {"username": username}

    @app.post("/upload", form_limits={"max_fields": 2})
    def upload(file: fw.UploadFile, tags: Annotated[list[str], fw.Form()] = []):  # noqa: B006
        return {"filename": file.filename, "size": file.size, "tags": tags}

    @app.post("/small", max_body_size=1000)
    def small(data: dict):
        return data

    return app


app = live_app(FASTRAPI)

MULTIPART = "multipart/form-data; boundary=zz"


def _multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--zz\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + b"--zz--\r\n"


CASES: list[tuple[str, str, bytes | None, dict[str, str]]] = [
    ("POST", "/items", b'{"name": "a", ', {"content-type": "application/json"}),
    ("POST", "/items", b'{"name": 1, "price": "x"}', {"content-type": "application/json"}),
    ("POST", "/items", b'{"name": "\xff", "price": 1}', {"content-type": "application/json"}),
    ("POST", "/items", b'{"name": "a", "price": 1}', {"content-type": "text/plain"}),
    ("GET", "/items/x?q=toolong", None, {}),
    ("POST", "/login", b"username=ann", {"content-type": "application/x-www-form-urlencoded"}),
    ("POST", "/login", b'{"username": "ann"}', {"content-type": "application/json"}),
    ("POST", "/upload", _multipart(("tags", None, b"a"), ("tags", None, b"b"), ("tags", None, b"c")),
     {"content-type": MULTIPART}),
    ("POST", "/upload", _multipart(("file", "f.txt", b"x" * 70_000)), {"content-type": "multipart/form-data"}),
    ("POST", "/upload", b"--zz\r\nbroken", {"content-type": MULTIPART}),
    ("POST", "/upload", _multipart(("tags", None, b"a")), {"content-type": MULTIPART}),
    ("POST", "/small", json.dumps({"k": "v" * 5000}).encode(), {"content-type": "application/json"}),
    ("POST", "/upload", _multipart(("file", "f.txt", b"x" * 300_000), ("tags", None, b"t")),
     {"content-type": MULTIPART}),
]


def test_bad_input_then_good_input_on_one_connection(server_kind: str) -> None:
    expected_client = FASTAPI.TestClient(live_app(FASTAPI), raise_server_exceptions=False)
    with run_server(server_kind, "tests.test_params_live:app") as live:
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
        conn.connect()
        sock = conn.sock
        try:
            for method, path, body, headers in CASES:
                expected = expected_client.request(method, path, content=body, headers=headers)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                assert (path, response.status, content) == (path, expected.status_code, expected.content)
                assert conn.sock is sock, f"the connection was closed after {method} {path}"
                conn.request("GET", "/ok")
                follow = conn.getresponse()
                assert (follow.status, follow.read()) == (200, b'{"ok":true}')
                assert conn.sock is sock
        finally:
            conn.close()
