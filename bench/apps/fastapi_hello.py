"""The same hello on FastAPI, for reference: ``uvicorn --app-dir bench/apps fastapi_hello:app``."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


# No return annotation: FastAPI would treat it as a response_model and validate the result.
@app.get("/hello")
def hello():
    return {"Hello": "World"}
