"""A single-page app's build served by ``app.frontend`` next to an API route, for the live frontend test.

``FASTRAPI_TEST_FRONTEND_DIR`` is the build directory, served at ``/`` with the ``index.html`` fallback.
"""

from __future__ import annotations

import os

from fastrapi import FastrAPI

app = FastrAPI()


@app.get("/api/ping")
def ping() -> dict[str, bool]:
    return {"pong": True}


@app.get("/__ready__")
def ready() -> str:
    return "ok"


app.frontend("/", directory=os.environ.get("FASTRAPI_TEST_FRONTEND_DIR", "."), fallback="index.html")
