"""``fastrapi.sse`` against ``fastapi.sse``: the same wire bytes from ``format_sse_event``, the same
``ServerSentEvent`` fields and the same validation errors, the same keep-alive comment."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

fastapi_sse = pytest.importorskip("fastapi.sse")

from fastrapi import sse  # noqa: E402

FORMATS: list[dict[str, Any]] = [
    {},
    {"data_str": "hello"},
    {"data_str": ""},
    {"data_str": "one\ntwo\r\nthree\rfour\n"},
    {"comment": "ping"},
    {"comment": "a\nb", "event": "update", "data_str": '{"a":1}', "id": "7", "retry": 0},
    {"event": "e", "id": "", "retry": 3000},
    {"data_str": "ünïcode ✓"},
]


@pytest.mark.parametrize("fields", FORMATS)
def test_format_sse_event(fields: dict[str, Any]) -> None:
    assert sse.format_sse_event(**fields) == fastapi_sse.format_sse_event(**fields)
    assert sse.format_sse_event(**fields).endswith(b"\n\n" if fields else b"\n")


def test_keepalive_comment_and_interval() -> None:
    assert sse.KEEPALIVE_COMMENT == fastapi_sse.KEEPALIVE_COMMENT == b": ping\n\n"
    assert sse._PING_INTERVAL == fastapi_sse._PING_INTERVAL == 15.0


EVENTS: list[dict[str, Any]] = [
    {},
    {"data": {"a": [1, 2]}, "event": "x", "id": "1", "retry": 10, "comment": "c"},
    {"raw_data": "raw"},
    {"data": "s", "raw_data": "r"},
    {"event": "two\nlines"},
    {"id": "a\rb"},
    {"id": "nul\0"},
    {"retry": -1},
    {"retry": "12"},
]


def _outcome(model: type[Any], fields: dict[str, Any]) -> Any:
    try:
        return model(**fields).model_dump()
    except ValidationError as exc:
        return [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]


@pytest.mark.parametrize("fields", EVENTS)
def test_server_sent_event_validation(fields: dict[str, Any]) -> None:
    assert _outcome(sse.ServerSentEvent, fields) == _outcome(fastapi_sse.ServerSentEvent, fields)


def test_event_stream_media_type() -> None:
    assert sse.EventSourceResponse.media_type == "text/event-stream"
    response = sse.EventSourceResponse(iter([b"data: 1\n\n"]))
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
