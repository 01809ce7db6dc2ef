"""The same as fastrapi_tasks.py on FastAPI; uvicorn loads ``fastapi_tasks:app``."""

from __future__ import annotations

from fastapi import BackgroundTasks, FastAPI

app = FastAPI()
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
