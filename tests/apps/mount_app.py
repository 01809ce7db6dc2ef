"""Mounting both ways, for the live tests.

``app``: a FastrAPI app with a Flask app at ``/legacy`` and a FastrAPI sub-app at ``/v2``.
``flask_outer``: a Flask app with a FastrAPI app at ``/api`` (Werkzeug's DispatcherMiddleware).
"""

from __future__ import annotations

from flask import Flask, request, url_for
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fastrapi import FastrAPI, Request

legacy = Flask("legacy")


@legacy.route("/")
def legacy_index():
    return "legacy index"


@legacy.route("/hello/<name>")
def legacy_hello(name: str):
    return {"hello": name, "self": url_for("legacy_hello", name=name), "script_name": request.script_root,
            "path": request.path, "query": request.query_string.decode()}


@legacy.route("/echo", methods=["POST"])
def legacy_echo():
    return request.get_data()


v2 = FastrAPI()


@v2.get("/items/{item_id}", name="v2_item")
def v2_item(item_id: int, request: Request):
    # Names resolve from the outermost app, as in FastAPI: the mount's name first.
    return {"item_id": item_id, "url_for": str(request.url_for("v2:v2_item", item_id=item_id))}


app = FastrAPI()
app.mount("/legacy", legacy)
app.mount("/v2", v2, name="v2")


@app.get("/")
def root():
    return {"paths": [app.url_path_for("v2:v2_item", item_id=1)]}


@app.get("/__ready__")
def ready():
    return "ok"


api = FastrAPI()


@api.get("/hello")
def api_hello():
    return {"Hello": "World"}


@api.get("/items/{item_id}", name="read_item")
def read_item(item_id: int, request: Request):
    return {"item_id": item_id, "url": str(request.url_for("read_item", item_id=item_id))}


outer = Flask("outer")


@outer.route("/")
def outer_index():
    return "flask outer"


@outer.route("/__ready__")
def outer_ready():
    return "ok"


flask_outer = DispatcherMiddleware(outer, {"/api": api})
