"""Hello with 0, 1 or 3 background tasks per request (``/tasks/0``, ``/tasks/1``, ``/tasks/3``) on fastrapi."""

from __future__ import annotations

import sys

from fastrapi import BackgroundTasks, FastrAPI

app = FastrAPI()
done = [0]


def count() -> None:
    done[0] += 1


@app.get("/tasks/0")
def no_task():
    return {"Hello": "World"}


@app.get("/tasks/1")
def one_task(background_tasks: BackgroundTasks):
    background_tasks.add_task(count)
    return {"Hello": "World"}


@app.get("/tasks/3")
def three_tasks(background_tasks: BackgroundTasks):
    for _ in range(3):
        background_tasks.add_task(count)
    return {"Hello": "World"}


if __name__ == "__main__":
    app.serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000, access_log=False)
