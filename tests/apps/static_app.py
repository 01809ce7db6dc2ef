"""StaticFiles mounted on a FastrAPI app, for the live traversal and Range tests.

``FASTRAPI_TEST_STATIC_DIR`` is the directory served at ``/static`` (symlinks not followed) and at
``/follow`` (``follow_symlink=True``).
"""

from __future__ import annotations

import os

from fastrapi import FastrAPI
from fastrapi.staticfiles import StaticFiles

DIRECTORY = os.environ.get("FASTRAPI_TEST_STATIC_DIR", ".")

app = FastrAPI()
app.mount("/static", StaticFiles(directory=DIRECTORY, html=True), name="static")
app.mount("/follow", StaticFiles(directory=DIRECTORY, follow_symlink=True), name="follow")


@app.get("/__ready__")
def ready():
    return "ok"
