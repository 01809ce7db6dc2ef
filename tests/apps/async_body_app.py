"""An app for tests/test_async_body_reads.py: ``async def`` endpoints that read the body themselves.

Each ``POST`` route answers ``{"size": ..., "sha256": ...}`` of what it read (for ``/json`` and
``/form``, of the ``data`` field), never the body itself. A route whose read raises
``ClientDisconnect`` catches it, records the request's ``?tag=`` (``GET /caught/{tag}`` tells how
many times), prints ``CAUGHT <route> <tag>``, then re-raises it (``?then=raise``) or answers 400
itself (``?then=return``). ``GET /mark/{tag}`` prints ``MARK <tag>`` so a test can split the
server's output.
"""

from __future__ import annotations

import collections
import hashlib
import os
import sys
from collections.abc import Awaitable, Callable

from fastrapi import FastrAPI, Request, UploadFile
from fastrapi.exceptions import ClientDisconnect
from fastrapi.responses import JSONResponse, PlainTextResponse, Response

app = FastrAPI()
caught: collections.Counter[str] = collections.Counter()


def say(line: str) -> None:
    """``line`` on stdout in one write: print() from the bridge's thread and the hub's could interleave."""
    os.write(sys.stdout.fileno(), f"{line}\n".encode())


def digest(data: bytes) -> dict[str, int | str]:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def catching(request: Request, route: str, read: Callable[[], Awaitable[bytes]]) -> Response:
    """``read()``'s digest; a ``ClientDisconnect`` is recorded, then re-raised or answered."""
    try:
        data = await read()
    except ClientDisconnect:
        tag = request.query_params.get("tag", "")
        say(f"CAUGHT {route} {tag}")  # before the count: a test that sees the count finds the line
        caught[tag] += 1
        if request.query_params.get("then") == "return":
            return PlainTextResponse("client gone", status_code=400)
        raise
    return JSONResponse(digest(data))


@app.post("/body")
async def body(request: Request) -> Response:
    return await catching(request, "/body", request.body)


@app.post("/json")
async def json_body(request: Request) -> Response:
    async def read() -> bytes:
        return str((await request.json())["data"]).encode()

    return await catching(request, "/json", read)


@app.post("/form")
async def form(request: Request) -> Response:
    """``data`` is a text field or a file (an ``UploadFile`` read with ``await file.read()``)."""
    async def read() -> bytes:
        value = (await request.form())["data"]
        if isinstance(value, UploadFile):
            return await value.read()
        return value.encode()

    return await catching(request, "/form", read)


@app.post("/stream")
async def stream(request: Request) -> Response:
    async def read() -> bytes:
        chunks = []
        async for chunk in request.stream():
            chunks.append(chunk)
        return b"".join(chunks)

    return await catching(request, "/stream", read)


@app.post("/upload")
async def upload(data: UploadFile) -> dict[str, int | str]:
    """The form is parsed before the endpoint runs; ``await data.read()`` reads its spooled file."""
    return digest(await data.read())


@app.get("/caught/{tag}")
def caught_count(tag: str) -> int:
    return caught[tag]


@app.get("/mark/{tag}")
def mark(tag: str) -> str:
    say(f"MARK {tag}")
    return tag
