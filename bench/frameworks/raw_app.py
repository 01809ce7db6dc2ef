"""The ceiling: plain WSGI with pydantic by hand, no framework. ``python bench/frameworks/raw_app.py PORT``
serves it on fastrapi's embedded server (gevent.pywsgi + TCP_NODELAY); gunicorn loads
``bench.frameworks.raw_app:app``. Scenario 4's task runs when the server closes the response body."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the checkout first

from bench.frameworks.common import ITEMS, ITEMS_ADAPTER, ROUTES, SLEEP, Item, record

Environ = dict[str, Any]
Answer = tuple[str, bytes]  # status, JSON body


class AfterResponse:
    """A one-chunk body whose ``close()`` (called by the server after sending) runs a task."""

    def __init__(self, body: bytes, task: Callable[[], None]) -> None:
        self.body, self.task = body, task

    def __iter__(self) -> Iterator[bytes]:
        yield self.body

    def close(self) -> None:
        self.task()


def read_body(environ: Environ) -> bytes:
    return environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))


def hello(environ: Environ, rest: str) -> Answer:
    return "200 OK", b'{"Hello":"World"}'


def items(environ: Environ, rest: str) -> Answer:
    if environ["REQUEST_METHOD"] == "POST":
        return "200 OK", Item.model_validate_json(read_body(environ)).model_dump_json().encode()
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    try:
        answer = {"item_id": int(rest), "q": query["q"], "limit": int(query["limit"])}
    except (KeyError, ValueError):
        return "422 Unprocessable Entity", b'{"detail":"invalid"}'
    return "200 OK", json.dumps(answer).encode()


def sleep(environ: Environ, rest: str) -> Answer:
    time.sleep(SLEEP)
    return "200 OK", b'{"slept":true}'


def models(environ: Environ, rest: str) -> Answer:
    return "200 OK", ITEMS_ADAPTER.dump_json(ITEMS)


def route(i: int) -> Callable[[Environ, str], Answer]:
    def endpoint(environ: Environ, rest: str) -> Answer:
        return "200 OK", json.dumps({"route": i, "x": int(rest)}).encode()
    return endpoint


HANDLERS: dict[str, Callable[[Environ, str], Answer]] = {
    "hello": hello, "items": items, "sleep": sleep, "models": models,
    **{f"r{i}": route(i) for i in range(ROUTES)},
}


def app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
    first, _, rest = environ["PATH_INFO"][1:].partition("/")
    if first == "tasks" and environ["REQUEST_METHOD"] == "POST":
        item = Item.model_validate_json(read_body(environ))
        body: Iterable[bytes] = AfterResponse(b'{"queued":true}', lambda: record(item.name))
        status, length = "200 OK", 15
    else:
        handler = HANDLERS.get(first)
        status, data = handler(environ, rest) if handler else ("404 Not Found", b'{"detail":"Not Found"}')
        body, length = [data], len(data)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(length))])
    return body

routes_app = app  # one dict lookup whatever the table size

if __name__ == "__main__":
    from fastrapi.server import Server, make_listener

    Server(make_listener("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), app).serve_forever()
