"""Path operations that ``yield``, on FastAPI and on fastrapi: the same status, headers and body bytes,
and the same OpenAPI document. The apps follow FastAPI's tutorials for streaming data, JSON Lines and
server-sent events (docs_src/stream_data, stream_json_lines, server_sent_events)."""

import base64
import functools
from collections.abc import AsyncIterable, AsyncIterator, Generator, Iterable
from io import BytesIO
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

pytest.importorskip("fastapi")

import fastapi
import fastapi.responses
import fastapi.sse
import fastapi.testclient

import fastrapi
import fastrapi.responses
import fastrapi.sse
import fastrapi.testclient

FRAMEWORKS = {
    "fastapi": SimpleNamespace(top=fastapi, responses=fastapi.responses, sse=fastapi.sse,
                               client=fastapi.testclient.TestClient),
    "fastrapi": SimpleNamespace(top=fastrapi, responses=fastrapi.responses, sse=fastrapi.sse,
                                client=fastrapi.testclient.TestClient),
}

STORY = "Rick: Morty! You gotta come with me.\nMorty: What, Rick? What's going on?\nRick: I got a surprise, Morty."
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float = 0.0


class Prompt(BaseModel):
    text: str


ITEMS = [
    Item(name="Plumbus", description="A multi-purpose household device.", price=32.99),
    Item(name="Portal Gun", description="A portal opening device.", price=999.99),
    Item(name="Meeseeks Box", description="A box that summons a Meeseeks.", price=float("nan")),
]


def build(fw: SimpleNamespace) -> Any:
    """One app with the tutorials' path operations, written against ``fw``'s modules."""
    app = fw.top.FastAPI()
    streaming = fw.responses.StreamingResponse
    events = fw.sse.EventSourceResponse
    event = fw.sse.ServerSentEvent

    class PNGStreamingResponse(streaming):  # type: ignore[misc, valid-type]
        media_type = "image/png"

    # -- stream data: the generator is the StreamingResponse's content ------------------------------
    @app.get("/story/stream", response_class=streaming)
    async def story() -> AsyncIterable[str]:
        for line in STORY.splitlines():
            yield line

    @app.get("/story/stream-no-async", response_class=streaming)
    def story_no_async() -> Iterable[str]:
        yield from STORY.splitlines()

    @app.get("/story/stream-bytes-no-annotation", response_class=streaming)
    async def story_bytes():  # type: ignore[no-untyped-def]
        for line in STORY.splitlines():
            yield line.encode()

    @app.get("/image/stream", response_class=PNGStreamingResponse)
    def image() -> Iterable[bytes]:
        with BytesIO(PNG) as file:
            yield from file

    @app.get("/image/stream-async", response_class=PNGStreamingResponse, status_code=201)
    async def image_async() -> AsyncIterator[bytes]:
        with BytesIO(PNG) as file:
            for chunk in file:
                yield chunk

    # -- JSON Lines: the default response class ------------------------------------------------------
    @app.get("/items/stream")
    async def items() -> AsyncIterable[Item]:
        for item in ITEMS:
            yield item

    @app.get("/items/stream-no-async")
    def items_no_async() -> Iterable[Item]:
        yield from ITEMS

    @app.get("/items/stream-no-annotation")
    async def items_no_annotation():  # type: ignore[no-untyped-def]
        for item in ITEMS:
            yield item

    @app.get("/items/stream-dicts")
    def items_dicts() -> Generator[Item, None, None]:
        yield {"name": "dict", "price": "3.5", "extra": "dropped"}  # type: ignore[misc]

    @app.get("/items/stream-plain")
    def plain():  # type: ignore[no-untyped-def]
        yield {"é": [1, 2.5, None], "b": float("inf")}
        yield "text"
        yield 3

    @app.get("/numbers/stream", response_model_exclude_none=True)
    async def numbers() -> AsyncIterable[int]:
        for n in (1, 2, 3):
            yield n

    @app.get("/items/exclude-none", response_model_exclude_none=True)
    def exclude_none() -> Iterable[Item]:
        yield Item(name="bare")

    @app.get("/items/headers")
    def with_headers(response: fw.top.Response) -> Iterable[Item]:  # type: ignore[name-defined]
        response.headers["x-stream"] = "yes"
        yield ITEMS[0]

    # -- server-sent events --------------------------------------------------------------------------
    @app.get("/sse/items", response_class=events)
    async def sse_items() -> AsyncIterable[Item]:
        for item in ITEMS:
            yield item

    @app.get("/sse/items-no-async", response_class=events)
    def sse_items_no_async() -> Iterable[Item]:
        yield from ITEMS

    @app.get("/sse/items-no-annotation", response_class=events)
    async def sse_no_annotation():  # type: ignore[no-untyped-def]
        for item in ITEMS:
            yield item
        yield "a string"
        yield {"k": [1, None]}

    @app.get("/sse/events", response_class=events)
    async def sse_events() -> AsyncIterable[fw.sse.ServerSentEvent]:  # type: ignore[name-defined]
        yield event(comment="stream of item updates\nsecond line")
        for i, item in enumerate(ITEMS):
            yield event(data=item, event="item_update", id=str(i + 1), retry=5000)
        yield event(data="quoted")
        yield event(data={"n": 1})
        yield event()

    @app.get("/sse/logs", response_class=events)
    async def sse_logs() -> AsyncIterable[fw.sse.ServerSentEvent]:  # type: ignore[name-defined]
        for line in ("started", "multi\nline\r\nraw", ""):
            yield event(raw_data=line)

    @app.get("/sse/resume", response_class=events)
    async def sse_resume(
        last_event_id: Annotated[int | None, fw.top.Header()] = None,
    ) -> AsyncIterable[fw.sse.ServerSentEvent]:  # type: ignore[name-defined]
        start = last_event_id + 1 if last_event_id is not None else 0
        for i, item in enumerate(ITEMS):
            if i >= start:
                yield event(data=item, id=str(i))

    @app.post("/chat/stream", response_class=events)
    async def chat(prompt: Prompt) -> AsyncIterable[fw.sse.ServerSentEvent]:  # type: ignore[name-defined]
        for word in prompt.text.split():
            yield event(data=word, event="token")
        yield event(raw_data="[DONE]", event="done")

    @app.get("/sse/mixed", response_class=events)
    def sse_mixed() -> Iterable[Item]:
        yield ITEMS[0]
        yield event(data={"not": "an item"}, event="other")

    return app


@functools.cache
def client(name: str) -> Any:
    fw = FRAMEWORKS[name]
    return fw.client(build(fw))


CASES: list[Any] = [
    ("GET", "/story/stream", {}),
    ("GET", "/story/stream-no-async", {}),
    ("GET", "/story/stream-bytes-no-annotation", {}),
    ("GET", "/image/stream", {}),
    ("GET", "/image/stream-async", {}),
    ("GET", "/items/stream", {}),
    ("GET", "/items/stream-no-async", {}),
    ("GET", "/items/stream-no-annotation", {}),
    ("GET", "/items/stream-dicts", {}),
    ("GET", "/items/stream-plain", {}),
    ("GET", "/numbers/stream", {}),
    ("GET", "/items/exclude-none", {}),
    ("GET", "/items/headers", {}),
    ("GET", "/sse/items", {}),
    ("GET", "/sse/items-no-async", {}),
    ("GET", "/sse/items-no-annotation", {}),
    ("GET", "/sse/events", {}),
    ("GET", "/sse/logs", {}),
    ("GET", "/sse/resume", {}),
    ("GET", "/sse/resume", {"headers": {"Last-Event-ID": "0"}}),
    ("GET", "/sse/resume", {"headers": {"Last-Event-ID": "2"}}),
    ("GET", "/sse/resume", {"headers": {"Last-Event-ID": "nope"}}),
    ("POST", "/chat/stream", {"json": {"text": "hello streaming world"}}),
    ("POST", "/chat/stream", {"json": {}}),
    ("GET", "/sse/mixed", {}),
]


def _answer(name: str, method: str, url: str, kwargs: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    response = client(name).request(method, url, **kwargs)
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in ("date", "server")]
    return response.status_code, sorted(headers), response.content


@pytest.mark.parametrize(("method", "url", "kwargs"), CASES)
def test_same_answer(method: str, url: str, kwargs: dict[str, Any]) -> None:
    theirs = _answer("fastapi", method, url, kwargs)
    ours = _answer("fastrapi", method, url, kwargs)
    assert ours == theirs


def test_the_streams_look_as_documented() -> None:
    """Not only equal to FastAPI's: what its docs promise (so that a change on both sides shows)."""
    status, headers, body = _answer("fastrapi", "GET", "/sse/resume", {"headers": {"Last-Event-ID": "1"}})
    assert (status, dict(headers)["content-type"]) == (200, "text/event-stream; charset=utf-8")
    assert dict(headers)["cache-control"] == "no-cache"
    assert dict(headers)["x-accel-buffering"] == "no"
    assert body == (b'data: {"name":"Meeseeks Box","description":"A box that summons a Meeseeks.","price":null}\n'
                    b"id: 2\n\n")
    status, headers, body = _answer("fastrapi", "GET", "/items/stream-no-async", {})
    assert dict(headers)["content-type"] == "application/jsonl"
    assert body.count(b"\n") == 3 and body.startswith(b'{"name":"Plumbus",')


def test_an_item_that_fails_validation_is_a_server_error() -> None:
    def bad(fw: SimpleNamespace) -> Any:
        app = fw.top.FastAPI()

        @app.get("/bad")
        def bad_items() -> Iterable[Item]:
            yield {"name": None}  # type: ignore[misc]

        return app

    for name, error in (("fastapi", fastapi.exceptions.ResponseValidationError),
                        ("fastrapi", fastrapi.exceptions.ResponseValidationError)):
        with pytest.raises(error):
            FRAMEWORKS[name].client(bad(FRAMEWORKS[name])).get("/bad")


def _document(name: str) -> Any:
    return client(name).get("/openapi.json").json()


def test_same_openapi_document() -> None:
    theirs, ours = _document("fastapi"), _document("fastrapi")
    assert ours["paths"] == theirs["paths"]
    assert ours["components"] == theirs["components"]
    assert ours == theirs


def test_openapi_item_schemas() -> None:
    paths = _document("fastrapi")["paths"]
    jsonl = paths["/items/stream"]["get"]["responses"]["200"]["content"]
    assert jsonl == {"application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Item"}}}
    sse = paths["/sse/items"]["get"]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"]
    assert sse["required"] == ["data"]
    assert sse["properties"]["data"]["contentSchema"] == {"$ref": "#/components/schemas/Item"}
    png = paths["/image/stream"]["get"]["responses"]["200"]["content"]
    assert png == {"image/png": {"schema": {"type": "string"}}}


