"""The same ``async def`` hello on FastAPI: ``uvicorn --app-dir bench/apps fastapi_hello_async:app``."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello():
    return {"Hello": "World"}
