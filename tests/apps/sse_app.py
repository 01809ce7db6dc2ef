"""Streaming path operations whose generators record when their ``finally`` ran, for the live tests.

``GET /<kind>/<tag>`` streams under ``tag``: ``sse-async``/``sse-sync`` send an event every 50 ms,
``sse-async-idle``/``sse-sync-idle`` one event and then nothing (only keep-alive comments, every
0.2 s here), ``jsonl-async``/``jsonl-sync`` a JSON line every 50 ms. ``GET /finished/<tag>`` says
whether that generator's ``finally`` has run.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterable, Iterable

import fastrapi.sse
from fastrapi import FastAPI
from fastrapi.sse import EventSourceResponse, ServerSentEvent

fastrapi.sse._PING_INTERVAL = float(os.environ.get("SSE_PING_INTERVAL", "0.2"))

app = FastAPI()
started: set[str] = set()
finished: set[str] = set()


@app.get("/finished/{tag}")
def is_finished(tag: str) -> dict[str, bool]:
    return {"started": tag in started, "finished": tag in finished}


@app.get("/sse-async/{tag}", response_class=EventSourceResponse)
async def sse_async(tag: str) -> AsyncIterable[ServerSentEvent]:
    started.add(tag)
    try:
        n = 0
        while True:
            yield ServerSentEvent(data=n, id=str(n))
            n += 1
            await asyncio.sleep(0.05)
    finally:
        finished.add(tag)


@app.get("/sse-async-idle/{tag}", response_class=EventSourceResponse)
async def sse_async_idle(tag: str) -> AsyncIterable[int]:
    started.add(tag)
    try:
        yield 1
        await asyncio.Event().wait()  # never set: only keep-alives from now on
    finally:
        finished.add(tag)


@app.get("/sse-sync/{tag}", response_class=EventSourceResponse)
def sse_sync(tag: str) -> Iterable[int]:
    started.add(tag)
    try:
        n = 0
        while True:
            yield n
            n += 1
            time.sleep(0.05)
    finally:
        finished.add(tag)


@app.get("/sse-sync-idle/{tag}", response_class=EventSourceResponse)
def sse_sync_idle(tag: str) -> Iterable[int]:
    started.add(tag)
    try:
        yield 1
        while True:
            # Silent for a while, then one more event: a step on a pool thread (unpatched) cannot be
            # interrupted, so it must end by itself for the generator to be closed.
            time.sleep(1.0)
            yield 2
    finally:
        finished.add(tag)


@app.get("/jsonl-async/{tag}")
async def jsonl_async(tag: str) -> AsyncIterable[int]:
    started.add(tag)
    try:
        n = 0
        while True:
            yield n
            n += 1
            await asyncio.sleep(0.05)
    finally:
        finished.add(tag)


@app.get("/jsonl-sync/{tag}")
def jsonl_sync(tag: str) -> Iterable[int]:
    started.add(tag)
    try:
        n = 0
        while True:
            yield n
            n += 1
            time.sleep(0.05)
    finally:
        finished.add(tag)
