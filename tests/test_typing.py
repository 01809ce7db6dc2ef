"""What a user's type checker sees: fastrapi is marked typed (PEP 561), its public names are exported
explicitly, and request data is typed precisely (``str | None``, not ``Any``), so misuse is reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A user program: the lines marked ``# E`` must be reported, and no other line.
PROGRAM = '''\
from typing import Annotated

from pydantic import BaseModel

from fastrapi import BackgroundTasks, Depends, FastAPI, HTTPException, Query, Request, UploadFile
from fastrapi.datastructures import URL, Headers, QueryParams
from fastrapi.middleware.gzip import GZipMiddleware

app = FastAPI()
app.add_middleware(GZipMiddleware, minimum_size=500)


class Item(BaseModel):
    name: str


def token(request: Request) -> str | None:
    return request.headers.get("authorization")


@app.get("/items/{item_id}")
def read(item_id: int, request: Request, tasks: BackgroundTasks, auth: Annotated[str | None, Depends(token)],
         q: Annotated[str | None, Query()] = None) -> Item:
    agent: str | None = request.headers.get("user-agent")
    page: str = request.query_params.get("page", "1")
    host: str | None = request.url.hostname
    tasks.add_task(print, agent, page, host, auth)
    if item_id < 0:
        raise HTTPException(404, detail="missing")
    return Item(name=q or "item")


async def size(file: UploadFile) -> int:
    data: bytes = await file.read()
    return len(data)


headers = Headers({"a": "b"})
as_int: int = headers.get("a")  # E
no_default: str = QueryParams("a=1").get("b")  # E
port: str = URL("http://example.com:8000/").port  # E
filename: bytes = UploadFile(open(__file__, "rb")).filename  # E
'''


def test_package_is_marked_typed() -> None:
    assert resources.files("fastrapi").joinpath("py.typed").is_file()


def test_user_program_type_checks(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    program = tmp_path / "user_app.py"
    program.write_text(PROGRAM)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--cache-dir", str(tmp_path / "cache"),
         program.name],
        cwd=tmp_path, env={**os.environ, "MYPYPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )
    # Errors inside fastrapi are the package's own check (the CI's mypy step); here only the user's count.
    reported = {int(n) for n in re.findall(r"^user_app\.py:(\d+): error:", result.stdout, re.MULTILINE)}
    expected = {n for n, line in enumerate(PROGRAM.splitlines(), 1) if line.endswith("# E")}
    assert reported == expected, result.stdout
