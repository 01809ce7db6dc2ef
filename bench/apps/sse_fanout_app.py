"""SSE fan-out, one app for both frameworks (``build("fastapi")`` / ``build("fastrapi")``): ``GET /subscribe``
streams an event per ``POST /broadcast``; ``GET /subscribers`` counts the streams."""

# No ``from __future__ import annotations``: the endpoints annotate with the framework's own classes.
import asyncio
import importlib
from collections.abc import AsyncIterable
from typing import Any


def build(framework: str) -> Any:
    """The app on ``framework`` (``"fastapi"`` or ``"fastrapi"``)."""
    web = importlib.import_module(framework)
    sse = importlib.import_module(f"{framework}.sse")
    ServerSentEvent = sse.ServerSentEvent
    app = web.FastAPI()
    subscribers: set[asyncio.Queue[str]] = set()

    @app.get("/subscribe", response_class=sse.EventSourceResponse)
    async def subscribe() -> AsyncIterable[ServerSentEvent]:  # type: ignore[valid-type]
        queue: asyncio.Queue[str] = asyncio.Queue()
        subscribers.add(queue)
        try:
            yield ServerSentEvent(comment="subscribed")
            while True:
                yield ServerSentEvent(raw_data=await queue.get(), event="broadcast")
        finally:
            subscribers.discard(queue)

    @app.get("/subscribers")
    async def count() -> int:
        await asyncio.sleep(0)  # on the loop the queues live on
        return len(subscribers)

    @app.post("/broadcast")
    async def broadcast(message: str = "hello") -> int:
        await asyncio.sleep(0)
        for queue in list(subscribers):
            queue.put_nowait(message)
        return len(subscribers)

    return app
