"""FileResponse against FastAPI's: whole files, Range requests, HEAD, and its background task."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.differential")

from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

from tests.differential import check  # noqa: E402

DATA = Path(__file__).resolve().parent / "apps" / "file_data"
CONTENT = bytes(range(256)) * 40  # 10,240 bytes
SEEN: list[str] = []


def files_app(fw: SimpleNamespace) -> Any:
    from fastapi.responses import FileResponse as FastAPIFileResponse

    from fastrapi.responses import FileResponse as FastrAPIFileResponse

    file_response = FastAPIFileResponse if fw.name == "fastapi" else FastrAPIFileResponse
    DATA.mkdir(exist_ok=True)
    (DATA / "blob.bin").write_bytes(CONTENT)
    (DATA / "notes.txt").write_text("hello file\n")
    (DATA / "noext").write_bytes(b"raw")
    app = fw.FastAPI()

    @app.get("/blob")
    def blob():
        return file_response(DATA / "blob.bin")

    @app.get("/notes")
    def notes():
        return file_response(DATA / "notes.txt", filename="notes.txt")

    @app.get("/noext")
    def noext():
        return file_response(DATA / "noext", filename="résumé final")

    return app


# ETag and Last-Modified come from the same stat on both; multipart boundaries are random.
@pytest.mark.parametrize(("path", "headers"), [
    ("/blob", {}),
    ("/notes", {}),
    ("/noext", {}),
    ("/blob", {"Range": "bytes=0-99"}),
    ("/blob", {"Range": "bytes=10000-"}),
    ("/blob", {"Range": "bytes=-16"}),
    ("/blob", {"Range": "bytes=99999-"}),
    ("/blob", {"Range": "lines=1-2"}),
    ("/blob", {"Range": "bytes=5-1"}),
    ("/blob", {"Range": "bytes=0-9", "If-Range": '"not-the-etag"'}),
])
def test_file_responses(path: str, headers: dict[str, str]) -> None:
    check(files_app, "GET", path, headers=headers)


def test_head_of_a_range() -> None:
    check(files_app, "HEAD", "/blob", headers={"Range": "bytes=0-99"})


def test_multiple_ranges_have_the_same_layout() -> None:
    from tests.differential import exchange

    expected, actual = exchange(files_app, "GET", "/blob", headers={"Range": "bytes=0-9,20-29"})
    assert actual.status_code == expected.status_code == 206
    assert actual.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert len(actual.content) == len(expected.content) == int(actual.headers["content-length"])
