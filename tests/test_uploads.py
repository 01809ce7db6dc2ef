"""Uploads and forms: ``UploadFile`` behaves as FastAPI's, large bodies stream through the parser
into spooled files (never whole in memory), and the request's ``body/json/form/stream`` API."""

import gc
import io
import tracemalloc
import weakref
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

from fastrapi import BackgroundTasks, FastAPI, File, Form, Request, UploadFile
from fastrapi.datastructures import FormData
from fastrapi.formparsers import SPOOL_MAX_SIZE, FormLimits, parse_form
from fastrapi.testclient import TestClient

BOUNDARY = "----fastrapi-test-boundary"


class GeneratedInput:
    """A ``wsgi.input`` producing a multipart body with one file of ``size`` bytes, piece by piece."""

    def __init__(self, size: int, field: str = "file", piece: int = 256 * 1024) -> None:
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"big.bin\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(head) + size + len(tail)
        self._parts = self._generate(head, size, tail, piece)
        self._buffer = b""

    @staticmethod
    def _generate(head: bytes, size: int, tail: bytes, piece: int) -> Iterator[bytes]:
        yield head
        block = bytes(range(256)) * (piece // 256)
        while size > 0:
            chunk = block[:size]
            size -= len(chunk)
            yield chunk
        yield tail

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        if n < 0:
            n = len(self._buffer)
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []
    body = app(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        return status[0], b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()


def upload_environ(wsgi_input: GeneratedInput, path: str = "/upload") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "test", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": wsgi_input, "CONTENT_LENGTH": str(wsgi_input.length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "HTTP_HOST": "test",
    }


def upload_app() -> FastAPI:
    app = FastAPI()
    seen: dict[str, Any] = {}
    app.state.seen = seen

    @app.post("/upload")
    def upload(file: UploadFile, note: Annotated[str, Form()]):
        digest = 0
        while chunk := file.file.read(1 << 20):
            digest = (digest + sum(chunk[::4096])) % 1_000_003
        seen["rolled"] = file.file._rolled  # type: ignore[attr-defined]
        return {"size": file.size, "note": note, "digest": digest, "filename": file.filename}

    return app


def test_a_large_upload_streams_into_a_spooled_file_without_holding_the_body() -> None:
    size = 40 * 1024 * 1024
    app = upload_app()
    tracemalloc.start()
    try:
        status, body = call_wsgi(app, upload_environ(GeneratedInput(size)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status.startswith("200"), body
    assert b'"size":41943040' in body and b'"note":"hello"' in body
    assert app.state.seen["rolled"] is True  # past 1 MiB the file went to disk
    assert peak < 6 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB for a 40 MiB upload"


def test_a_body_over_max_body_size_stops_the_upload_with_413() -> None:
    app = FastAPI(max_body_size=1024 * 1024)

    @app.post("/upload")
    def upload(file: UploadFile):
        return {"size": file.size}

    environ = upload_environ(GeneratedInput(10 * 1024 * 1024))
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    del environ["CONTENT_LENGTH"]  # no declared length: the limit trips while reading
    status, body = call_wsgi(app, environ)
    assert (status[:4], body) == ("413 ", b"Content Too Large")


def test_upload_file_api_in_async_and_sync_endpoints() -> None:
    app = FastAPI()

    @app.post("/async")
    async def async_upload(file: UploadFile):
        first = await file.read(2)
        await file.seek(0)
        whole = await file.read()
        await file.write(b"!")
        await file.seek(0)
        after = await file.read()
        await file.close()
        return {"first": first.decode(), "whole": whole.decode(), "after": after.decode(), "size": file.size,
                "closed": file.file.closed, "type": file.content_type, "header": file.headers.get("x-extra"),
                "repr": repr(file).startswith("UploadFile(filename='a.txt', size=")}

    @app.post("/sync")
    def sync_upload(file: UploadFile):
        return {"data": file.file.read().decode(), "in_memory": not file.file._rolled}  # type: ignore[attr-defined]

    client = TestClient(app)
    files = {"file": ("a.txt", b"hello", "text/plain", {"X-Extra": "1"})}
    assert client.post("/async", files=files).json() == {
        "first": "he", "whole": "hello", "after": "hello!", "size": 6, "closed": True, "type": "text/plain",
        "header": "1", "repr": True,
    }
    assert client.post("/sync", files={"file": ("a.txt", b"small")}).json() == {"data": "small", "in_memory": True}


def test_uploaded_files_live_as_long_as_they_are_used_then_close() -> None:
    app = FastAPI()
    kept: list[Any] = []

    def read_later(upload: UploadFile) -> None:
        kept.append(upload.file.read())

    @app.post("/later")
    def later(file: UploadFile, tasks: BackgroundTasks):
        tasks.add_task(read_later, file)
        kept.append(weakref.ref(file.file))
        return {"ok": True}

    assert TestClient(app).post("/later", files={"file": ("a", b"x" * (SPOOL_MAX_SIZE + 1))}).json() == {"ok": True}
    assert kept[1] == b"x" * (SPOOL_MAX_SIZE + 1)  # the background task could still read it
    gc.collect()
    assert kept[0]() is None  # and afterwards the spooled file is gone


def test_request_body_json_stream_and_form() -> None:
    app = FastAPI()

    @app.post("/body")
    async def body(request: Request):
        raw = await request.body()
        return {"raw": raw.decode(), "json": await request.json(), "again": (await request.body()) == raw}

    @app.post("/stream")
    async def stream(request: Request):
        return {"chunks": [len(c) async for c in request.stream()]}

    @app.post("/stream-sync")
    def stream_sync(request: Request):
        return {"total": sum(len(c) for c in request.stream())}

    @app.post("/form")
    async def form(request: Request):
        async with request.form(max_fields=5) as data:
            upload = data["f"]
            names = (list(data), data.getlist("a"))
        return {"names": names, "closed": upload.file.closed}

    client = TestClient(app)
    assert client.post("/body", json={"a": 1}).json() == {"raw": '{"a":1}', "json": {"a": 1}, "again": True}
    assert client.post("/stream", content=b"x" * 100_000).json() == {"chunks": [65536, 34464]}
    assert client.post("/stream-sync", content=b"x" * 70_000).json() == {"total": 70_000}
    answer = client.post("/form", data={"a": ["1", "2"]}, files={"f": ("f.txt", b"c")})
    assert answer.json() == {"names": [["a", "f"], ["1", "2"]], "closed": True}
    too_many = client.post("/form", data={str(i): "v" for i in range(6)})
    detail = "Too many fields. Maximum number of fields is 5."
    assert (too_many.status_code, too_many.json()) == (400, {"detail": detail})


def _parse(content_type: str, body: bytes, **limits: int) -> FormData:
    chunks = [body[i:i + 7] for i in range(0, len(body), 7)]  # split anywhere
    return parse_form(content_type, chunks, FormLimits(**limits))


def test_parse_form_urlencoded_and_multipart_from_small_chunks() -> None:
    form = _parse("application/x-www-form-urlencoded", b"a=1&b=%C3%A9+x&a=&c")
    assert form.multi_items() == [("a", "1"), ("b", "é x"), ("a", ""), ("c", "")]
    assert (form["a"], form.getlist("a"), len(form)) == ("", ["1", ""], 3)
    body = (b'--b\r\nContent-Disposition: form-data; name="t"\r\n\r\nv\xc3\xa9\r\n'
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="n.txt"\r\nContent-Type: text/x\r\n\r\n'
            b"file body\r\n--b--\r\n")
    form = _parse("multipart/form-data; boundary=b", body)
    upload = form["f"]
    assert form["t"] == "vé" and isinstance(upload, UploadFile)
    assert (upload.filename, upload.size, upload.content_type, upload.file.read()) == ("n.txt", 9, "text/x",
                                                                                       b"file body")
    assert _parse("text/plain", b"a=1") == FormData()


@pytest.mark.parametrize(("content_type", "body", "limits", "message"), [
    ("application/x-www-form-urlencoded", b"a=1&b=2&c=3", {"max_fields": 2}, "Too many fields"),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * 2000, {"max_part_size": 1024},
     "Field exceeded maximum size of 1KB"),
    ("multipart/form-data", b"", {}, "Missing boundary in multipart."),
])
def test_parse_form_limits(content_type: str, body: bytes, limits: dict[str, int], message: str) -> None:
    from fastrapi.formparsers import FormError

    with pytest.raises(FormError, match=message):
        _parse(content_type, body, **limits)


def test_a_failed_multipart_parse_closes_the_files_it_opened() -> None:
    from fastrapi.formparsers import FormError, _MultipartParser

    body = (b'--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\ndata\r\n'
            b'--b\r\nContent-Disposition: form-data; name="g"; filename="b"\r\n\r\ndata\r\n--b--\r\n')
    parser = _MultipartParser("multipart/form-data; boundary=b", FormLimits(max_files=1))
    with pytest.raises(FormError, match="Too many files"):
        parser.parse([body])
    assert [u.file.closed for u in parser.files] == [True]


def test_bytes_file_parameter_reads_without_moving_the_shared_upload() -> None:
    app = FastAPI()

    @app.post("/both")
    def both(raw: Annotated[bytes, File(alias="f")], request: Request):
        upload = request.environ["fastrapi.form"]["f"]
        return {"raw": raw.decode(), "position": upload.file.tell()}

    assert TestClient(app).post("/both", files={"f": ("f", io.BytesIO(b"abc"))}).json() == {"raw": "abc", "position": 0}
