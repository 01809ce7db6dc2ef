"""The fastrapi hello with an ``async def`` endpoint: ``python bench/apps/fastrapi_hello_async.py PORT``
runs ``app.serve()``; gunicorn loads ``fastrapi_hello_async:app``."""

from __future__ import annotations

import sys

from fastrapi import FastrAPI

app = FastrAPI()


@app.get("/hello")
async def hello():
    return {"Hello": "World"}


if __name__ == "__main__":
    app.serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000, access_log=False)
