"""An app for the body-framing tests: every way of reading a body, each recording that its endpoint ran.

``DELETE /ran?case=...`` returns what ran since the last call, clears it and prints a marker line,
so a test can split the server's output by case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel

from fastrapi import BackgroundTasks, Depends, FastrAPI, Form, Request, UploadFile
from fastrapi.exception_handlers import InvalidRequestResponse
from fastrapi.middleware.trustedhost import TrustedHostMiddleware
from fastrapi.responses import PlainTextResponse, Response

ran: list[str] = []


class Item(BaseModel):
    name: str


def exiting() -> Iterator[None]:
    ran.append("dependency entered")
    try:
        yield
    finally:
        ran.append("dependency exited")


def build() -> FastrAPI:
    """The app; ``trusted`` wraps it in ``TrustedHostMiddleware`` (and so in ``ServerErrorMiddleware``)."""
    app = FastrAPI()

    @app.exception_handler(Exception)
    def any_error(request: Request, exc: Exception) -> Response:
        ran.append(f"exception handler {type(exc).__name__}")
        return PlainTextResponse("handled", status_code=500)

    @app.post("/request-body")
    async def request_body(request: Request) -> dict[str, int]:
        body = await request.body()
        ran.append("request-body")
        return {"size": len(body)}

    @app.post("/stream")
    def stream(request: Request) -> dict[str, int]:
        size = sum(len(chunk) for chunk in request.stream())
        ran.append("stream")
        return {"size": size}

    @app.post("/astream")
    async def astream(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        ran.append("astream")
        return {"size": size}

    @app.post("/aform")
    async def aform(request: Request) -> dict[str, str]:
        async with request.form() as form:
            name = str(form["name"])
        ran.append("aform")
        return {"name": name}

    @app.post("/model")
    def model(item: Item) -> Item:
        ran.append("model")
        return item

    @app.post("/form")
    def form(name: Annotated[str, Form()]) -> dict[str, str]:
        ran.append("form")
        return {"name": name}

    @app.post("/upload")
    def upload(file: UploadFile) -> dict[str, int | None]:
        ran.append("upload")
        return {"size": file.size}

    @app.post("/yield", dependencies=[Depends(exiting)])
    def with_yield(item: Item) -> Item:
        ran.append("yield")
        return item

    @app.post("/task")
    def task(item: Item, background_tasks: BackgroundTasks) -> Item:
        background_tasks.add_task(ran.append, "task")
        ran.append("task endpoint")
        return item

    @app.get("/int/{number}")
    def number(number: int) -> dict[str, int]:
        ran.append(f"int {number}")
        return {"number": number}

    @app.get("/ping")
    def ping() -> str:
        ran.append("ping")
        return "pong"

    @app.get("/url")
    def url(request: Request) -> str:
        ran.append("url")
        return str(request.url)

    @app.get("/close")
    def close() -> Response:
        ran.append("close")
        return InvalidRequestResponse()

    @app.delete("/ran")
    def take(case: str = "") -> list[str]:
        taken = ran[:]
        ran.clear()
        print(f"=== end of case {case}", flush=True)
        return taken

    return app


app = build()
trusted = build()
trusted.add_middleware(TrustedHostMiddleware, allowed_hosts=["good.example", "x", "127.0.0.1"])


def reading_middleware() -> FastrAPI:
    """An app whose ``@app.middleware("http")`` reads the body before the route does."""
    app = build()

    @app.middleware("http")
    async def read_first(request: Request, call_next: Any) -> Response:
        await request.body()
        ran.append("middleware")
        return await call_next(request)

    return app
