"""Path operations that ``yield``: the endpoint's generator becomes a streamed response."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fastrapi.responses import Response, StreamingResponse


class StreamPlan:
    """How one generator endpoint's items are sent; made once, when the route is added."""

    def __init__(self, response_class: type[Response]) -> None:
        self.response_class = response_class

    def response(self, result: Any, status_code: int) -> Response:
        """The response that streams ``result`` (the endpoint's generator)."""
        return StreamingResponse(result, status_code=status_code)


def stream_plan(endpoint: Callable[..., Any], response_class: type[Response]) -> StreamPlan | None:
    """A plan when ``endpoint`` is a (sync or async) generator function, else None."""
    if not (inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint)):
        return None
    return StreamPlan(response_class)
