"""A fastrapi app mounted under a prefix of a Werkzeug dispatcher, like FastAPI's apps under a proxy."""

from __future__ import annotations

from flask import Flask
from webtest import TestApp
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fastrapi import FastrAPI, Request


def make_stack() -> TestApp:
    api = FastrAPI()

    @api.get("/hello")
    def hello():
        return {"Hello": "World"}

    @api.get("/items/{item_id}", name="read_item")
    def read_item(item_id: int, request: Request):
        return {"item_id": item_id, "url": str(request.url), "self": str(request.url_for("read_item", item_id=item_id))}

    @api.get("/slash/")
    def slash():
        return "slash"

    flask_app = Flask(__name__)

    @flask_app.route("/")
    def index():
        return "flask index"

    return TestApp(DispatcherMiddleware(flask_app, {"/api": api}))


def test_routes_answer_under_the_prefix() -> None:
    client = make_stack()
    assert client.get("/api/hello").json == {"Hello": "World"}
    assert client.get("/").text == "flask index"
    assert client.get("/api/nope", status=404).json == {"detail": "Not Found"}


def test_urls_carry_the_prefix() -> None:
    body = make_stack().get("/api/items/3?x=1").json
    assert body == {"item_id": 3, "url": "http://localhost:80/api/items/3?x=1",
                    "self": "http://localhost:80/api/items/3"}


def test_trailing_slash_redirect_keeps_the_prefix_and_query() -> None:
    response = make_stack().get("/api/slash?x=1", status=307)
    assert response.headers["Location"] == "http://localhost:80/api/slash/?x=1"
