"""SSE fan-out on fastapi: ``GET /subscribe`` streams an event per ``POST /broadcast``; ``GET /subscribers``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent

app = FastAPI()
subscribers: set[asyncio.Queue[str]] = set()


@app.get("/subscribe", response_class=EventSourceResponse)
async def subscribe() -> AsyncIterable[ServerSentEvent]:
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
