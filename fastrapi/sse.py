"""Server-sent events: ``response_class=EventSourceResponse`` on a path operation that ``yield``\\ s.

Each yielded item becomes one event: a ``ServerSentEvent`` is sent as it is, anything else is
validated against the return annotation's item type (when there is one) and sent, as JSON, in the
``data:`` field. While the generator is idle, a keep-alive comment goes out every
``_PING_INTERVAL`` seconds; it keeps proxies from timing the stream out and lets the server notice
a client that went away (its write fails), which stops the generator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from fastrapi.encoders import jsonable_encoder
from fastrapi.responses import StreamingResponse
from fastrapi.stream_steps import Steps

# The event object of OpenAPI 3.2 (§4.14.4, "Special Considerations for Server-Sent Events").
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}

KEEPALIVE_COMMENT = b": ping\n\n"
"""The comment sent while the generator is idle (EventSource clients ignore comments)."""

_PING_INTERVAL: float = 15.0
"""Seconds of generator silence before a keep-alive comment; read per stream, so tests may change it."""

STREAM_HEADERS = (("cache-control", "no-cache"), ("x-accel-buffering", "no"))
"""Sent with every event stream: no caching, and no buffering by nginx."""


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` body. As ``response_class`` of a path operation that ``yield``\\ s,
    it makes each yielded item an event; built directly, it streams its content as given."""

    media_type = "text/event-stream"


def _single_line(value: str | None, name: str) -> str | None:
    if value is not None and ("\r" in value or "\n" in value):
        raise ValueError(f"SSE '{name}' must be a single line")
    return value


def _valid_event(value: str | None) -> str | None:
    return _single_line(value, "event")


def _valid_id(value: str | None) -> str | None:
    if value is not None and "\0" in value:
        raise ValueError("SSE 'id' must not contain null characters")
    return _single_line(value, "id")


class ServerSentEvent(BaseModel):
    """One event, yielded when the endpoint wants to set more than its data.

    ``data`` is always sent as JSON (a str too: ``"hello"`` goes out quoted); ``raw_data`` is sent
    as it is. ``event`` names the event (browsers dispatch on it), ``id`` is what a reconnecting
    browser sends back as ``Last-Event-ID``, ``retry`` the reconnection delay in milliseconds, and
    ``comment`` lines are ignored by clients.
    """

    data: Any = None
    raw_data: str | None = None
    event: Annotated[str | None, AfterValidator(_valid_event)] = None
    id: Annotated[str | None, AfterValidator(_valid_id)] = None
    retry: Annotated[int | None, Field(ge=0)] = None
    comment: str | None = None

    @model_validator(mode="after")
    def _one_kind_of_data(self) -> ServerSentEvent:
        if self.data is not None and self.raw_data is not None:
            raise ValueError("Cannot set both 'data' and 'raw_data' on the same ServerSentEvent. Use 'data' for "
                             "JSON-serialized payloads or 'raw_data' for pre-formatted strings.")
        return self


def _lines(text: str) -> list[str]:
    """``text`` split at every line ending the event stream format knows (CRLF, LF, CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def format_sse_event(*, data_str: str | None = None, event: str | None = None, id: str | None = None,
                     retry: int | None = None, comment: str | None = None) -> bytes:
    """The wire bytes of one event whose data is already a string; they end with the blank line."""
    lines = [f": {line}" for line in _lines(comment)] if comment is not None else []
    if event is not None:
        lines.append(f"event: {event}")
    if data_str is not None:
        lines.extend(f"data: {line}" for line in _lines(data_str))
    if id is not None:
        lines.append(f"id: {id}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    lines.append("\n")
    return "\n".join(lines).encode("utf-8")


def without_non_finite(data: Any) -> Any:
    """JSON-able ``data`` with NaN and infinities as None (``null``), as FastAPI sends them in streams."""
    if isinstance(data, float):
        return data if data == data and data not in (float("inf"), float("-inf")) else None
    if isinstance(data, dict):
        return {key: without_non_finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [without_non_finite(value) for value in data]
    return data


def plain_json(value: Any) -> str:
    """``value`` as FastAPI writes an unannotated stream item: ``json.dumps`` of its JSON-able form."""
    return json.dumps(without_non_finite(jsonable_encoder(value)))


def _event_data(event: ServerSentEvent) -> str | None:
    if event.raw_data is not None:
        return event.raw_data
    if event.data is None:
        return None
    if isinstance(event.data, BaseModel):
        return event.data.model_dump_json()
    return plain_json(event.data)


def event_bytes(item: Any, data_json: Callable[[Any], str]) -> bytes:
    """One yielded item as an event: a ``ServerSentEvent`` as it says, anything else as ``data:``
    (``data_json`` validates and encodes it)."""
    if isinstance(item, ServerSentEvent):
        return format_sse_event(data_str=_event_data(item), event=item.event, id=item.id, retry=item.retry,
                                comment=item.comment)
    return format_sse_event(data_str=data_json(item))


class EventChunks:
    """The body of an event stream: events as the generator yields them, a keep-alive comment
    whenever it stays silent a whole interval; ``close()`` stops the generator."""

    __slots__ = ("_steps", "_data_json")

    def __init__(self, steps: Steps, data_json: Callable[[Any], str]) -> None:
        self._steps = steps
        self._data_json = data_json

    def __iter__(self) -> Iterator[bytes]:
        steps = self._steps
        interval = _PING_INTERVAL
        steps.start()
        while True:
            if not steps.wait(interval):
                yield KEEPALIVE_COMMENT
                continue
            done, item = steps.take()
            if done:
                return
            chunk = event_bytes(item, self._data_json)
            steps.start()  # the generator makes its next item while this one is written
            yield chunk

    def close(self) -> None:
        self._steps.close()


__all__ = ["EventSourceResponse", "KEEPALIVE_COMMENT", "ServerSentEvent", "format_sse_event"]
