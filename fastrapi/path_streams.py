"""Path operations that ``yield``: the endpoint's generator becomes a streamed response.

As FastAPI decides it, by the route's response class:

- the default (JSON): JSON Lines (``application/jsonl``), each item validated and encoded like a
  response model of the return annotation's item type (``Iterable[Item]``, ``AsyncIterable[Item]``...);
- ``EventSourceResponse``: server-sent events, one per item (see ``fastrapi.sse``);
- any other class (``StreamingResponse`` or a subclass): its ``content`` is the generator, as given.
"""

from __future__ import annotations

import collections.abc
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any

from fastrapi.responses import JSONResponse, Response, StepChunks, StreamingResponse
from fastrapi.serialization import ResponseSerializer
from fastrapi.sse import STREAM_HEADERS, EventChunks, EventSourceResponse, ServerSentEvent, plain_json
from fastrapi.stream_steps import MappedSteps, steps_for

JSONL_MEDIA_TYPE = "application/jsonl"

_STREAM_ORIGINS = {
    collections.abc.Iterable, collections.abc.Iterator, collections.abc.Generator,
    collections.abc.AsyncIterable, collections.abc.AsyncIterator, collections.abc.AsyncGenerator,
}


def stream_item_type(endpoint: Callable[..., Any]) -> Any:
    """The item type of the endpoint's return annotation (``Iterable[Item]`` → ``Item``; a bare
    ``Iterable`` → ``Any``); None without one, or when the annotation is not an iterable of items."""
    try:
        annotation = inspect.signature(endpoint, eval_str=True).return_annotation
    except (NameError, TypeError, ValueError):
        return None
    origin = typing.get_origin(annotation) or annotation
    if origin not in _STREAM_ORIGINS:
        return None
    args = typing.get_args(annotation)
    return args[0] if args else Any


class StreamPlan:
    """How one generator endpoint's items are sent; made once, when the route is added.

    ``kind`` is ``"jsonl"``, ``"sse"`` or ``"raw"``; ``item_type`` the type each item is validated
    against (None: items are sent as they come, encoded by ``jsonable_encoder``).
    """

    def __init__(self, response_class: type[Response], item_type: Any = None,
                 serializer_options: dict[str, Any] | None = None) -> None:
        self.response_class = response_class
        if issubclass(response_class, EventSourceResponse):
            self.kind = "sse"
        elif response_class is JSONResponse:
            self.kind = "jsonl"
        else:
            self.kind = "raw"
        if self.kind == "raw" or (isinstance(item_type, type) and issubclass(item_type, ServerSentEvent)):
            item_type = None  # an event is a wrapper, not data
        self.item_type = item_type
        self.serializer = None if item_type is None else ResponseSerializer(item_type, **(serializer_options or {}))

    def item_json(self, item: Any) -> str:
        """One item as JSON text: through the item type when there is one (FastAPI's compact JSON),
        else ``json.dumps`` of its JSON-able form, as FastAPI writes an unannotated item."""
        if self.serializer is None:
            return plain_json(item)
        return self.serializer.to_json(item).decode("utf-8")

    def item_line(self, item: Any) -> bytes:
        """One item as a line of JSON Lines."""
        return (self.item_json(item) + "\n").encode("utf-8")

    def response(self, result: Any, status_code: int) -> Response:
        """The response that streams ``result`` (the endpoint's generator)."""
        if self.kind == "raw":
            return self.response_class(content=result, status_code=status_code)
        if self.kind == "jsonl":
            lines = StepChunks(MappedSteps(steps_for(result), self.item_line), "utf-8")
            return _PreparedStream(lines, status_code=status_code, media_type=JSONL_MEDIA_TYPE)
        events = EventChunks(steps_for(result, concurrent_steps=True), self.item_json)
        response = _PreparedEvents(events, status_code=status_code)
        for name, value in STREAM_HEADERS:
            response.headers.append(name, value)
        return response


class _PreparedStream(StreamingResponse):
    """Its content is already the body's chunks, each step in its place (nothing to step through again)."""

    def iter_body(self, environ: dict[str, Any]) -> Iterable[bytes]:
        return self.content  # type: ignore[return-value]


class _PreparedEvents(EventSourceResponse):
    """An event stream whose content is already its ``EventChunks``."""

    def iter_body(self, environ: dict[str, Any]) -> Iterable[bytes]:
        return self.content  # type: ignore[return-value]


def stream_plan(endpoint: Callable[..., Any], response_class: type[Response],
                serializer_options: dict[str, Any] | None = None) -> StreamPlan | None:
    """A plan when ``endpoint`` is a (sync or async) generator function, else None.

    ``serializer_options`` are the route's ``response_model_*`` settings (``include``, ``exclude``,
    ``by_alias``, ``exclude_unset``, ``exclude_defaults``, ``exclude_none``), applied to each item.
    """
    if not (inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint)):
        return None
    return StreamPlan(response_class, stream_item_type(endpoint), serializer_options)
