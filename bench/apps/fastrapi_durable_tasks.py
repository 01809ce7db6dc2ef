"""Hello with no task, one in-process task, or 1 or 3 durable tasks (RQ, Redis at $FASTRAPI_BENCH_REDIS)."""

from __future__ import annotations

import os

from fastrapi import BackgroundTasks, FastrAPI
from fastrapi.tasks import task

app = FastrAPI(task_queue=os.environ["FASTRAPI_BENCH_REDIS"])
done = [0]


def count() -> None:
    done[0] += 1


@task
def count_durably() -> None:
    """Never run here: the bench starts no worker, so the jobs pile up in Redis."""


@app.get("/none")
def no_task():
    return {"Hello": "World"}


@app.get("/inprocess/1")
def in_process(background_tasks: BackgroundTasks):
    background_tasks.add_task(count)
    return {"Hello": "World"}


@app.get("/durable/1")
def one_durable(background_tasks: BackgroundTasks):
    background_tasks.add_task(count_durably)
    return {"Hello": "World"}


@app.get("/durable/3")
def three_durable(background_tasks: BackgroundTasks):
    for _ in range(3):
        background_tasks.add_task(count_durably)
    return {"Hello": "World"}
