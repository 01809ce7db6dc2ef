"""Blocking background tasks next to ``def`` endpoints: each ``POST /queue`` adds one ``time.sleep`` task."""

from __future__ import annotations

import time

from fastrapi import BackgroundTasks, FastrAPI

app = FastrAPI()
# The tests stop the server while tasks still sleep: give up on them after 1 s at exit, not 25 s.
app.drain_timeout = 1.0


@app.post("/queue")
def queue(background_tasks: BackgroundTasks, seconds: float = 3.0):
    background_tasks.add_task(time.sleep, seconds)
    return {"queued": seconds}


@app.get("/hello")
def hello():
    return {"Hello": "World"}


@app.get("/stats")
def stats():
    return app.background_stats().as_dict()
