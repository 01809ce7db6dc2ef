"""An app for the CLI and lifespan tests: records import, startup and shutdown (with the pid) in a file."""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import asynccontextmanager

from gevent import monkey

from fastrapi import BackgroundTasks, FastrAPI, Request

LOG = os.environ.get("FASTRAPI_TEST_LIFESPAN_LOG", "")


def record(event: str) -> None:
    if LOG:
        with open(LOG, "a") as log:
            log.write(f"{event} {os.getpid()}\n")


record(f"import patched={monkey.is_module_patched('socket')}")


@asynccontextmanager
async def lifespan(app: FastrAPI):
    record("startup")
    yield {"started_in": os.getpid()}
    record("shutdown")


app = FastrAPI(lifespan=lifespan)


@app.middleware("http")
async def awaits_the_loop(request: Request, call_next):
    """Awaits real asyncio work, so it runs on the bridge loop with call_next hopping back."""
    await asyncio.sleep(0.001)
    response = await call_next(request)
    response.headers["x-middleware"] = "bridged"
    return response


@app.get("/pid")
def pid(request: Request):
    return {"pid": os.getpid(), "started_in": request.state.started_in}


def slow_record(event: str, seconds: float) -> None:
    time.sleep(seconds)
    record(event)


@app.post("/task")
def task(name: str, background_tasks: BackgroundTasks, seconds: float = 0.0):
    background_tasks.add_task(slow_record, name, seconds)
    return {"scheduled": name}
