"""An app for the live-server tests: fast, failing, unserialisable and slow routes, and tasks."""

from __future__ import annotations

import asyncio
import os
import time

from fastrapi import BackgroundTasks, FastrAPI

app = FastrAPI()
TASK_LOG = os.environ.get("FASTRAPI_TEST_TASK_LOG", "")


def record(line: str) -> None:
    with open(TASK_LOG, "a") as log:
        log.write(line + "\n")


def slow_record(line: str, seconds: float) -> None:
    time.sleep(seconds)
    record(line)


@app.get("/hello")
def hello():
    return {"Hello": "World"}


@app.get("/boom")
def boom():
    raise RuntimeError("boom")


@app.get("/unserialisable")
def unserialisable():
    return {"value": object()}


@app.get("/sleep")
def sleep(seconds: float = 1.0):
    time.sleep(seconds)
    return {"slept": seconds}


@app.get("/async-sleep")
async def async_sleep(seconds: float = 1.0):
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@app.post("/task")
def task(name: str, background_tasks: BackgroundTasks, seconds: float = 0.0):
    background_tasks.add_task(slow_record, name, seconds)
    return {"scheduled": name}


@app.get("/pid")
def pid():
    return {"pid": os.getpid()}


def fail(name: str) -> None:
    raise ValueError("task failed on purpose")


@app.post("/fail-then-record")
def fail_then_record(name: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(fail, name)
    background_tasks.add_task(record, name)
    return {"scheduled": name}
