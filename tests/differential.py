"""Helpers for differential tests: build one app on ``fastapi`` and on ``fastrapi``, compare answers.

An app factory takes a namespace ``fw`` (see ``FASTAPI`` / ``FASTRAPI``) and builds the app with
``fw.FastAPI``, ``fw.HTTPException``, ``fw.JSONResponse``... so the same code runs on both.
``check(factory, method, url, **kwargs)`` sends the request through both TestClients and asserts
the same status, body bytes and headers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")

import fastapi
import fastapi.encoders
import fastapi.exception_handlers
import fastapi.exceptions
import fastapi.responses
import fastapi.testclient
import starlette.exceptions

import fastrapi
import fastrapi.encoders
import fastrapi.exception_handlers
import fastrapi.exceptions
import fastrapi.responses
import fastrapi.status
import fastrapi.testclient

_COMMON = (
    "FastAPI", "APIRouter", "HTTPException", "Request", "Response", "Query", "Path", "Header", "Cookie", "Body",
    "status", "BackgroundTasks", "Depends",
)
_RESPONSES = ("JSONResponse", "HTMLResponse", "PlainTextResponse", "RedirectResponse")


def _namespace(name: str, top: Any, responses: Any, exceptions: Any, handlers: Any, encoders: Any,
               testclient: Any, base_http_exception: type[Exception], status: Any) -> SimpleNamespace:
    ns = SimpleNamespace(name=name)
    for attr in _COMMON:
        setattr(ns, attr, getattr(top, attr, None))
    for attr in _RESPONSES:
        setattr(ns, attr, getattr(responses, attr))
    ns.status = status
    ns.RequestValidationError = exceptions.RequestValidationError
    ns.ResponseValidationError = exceptions.ResponseValidationError
    # ``from starlette.exceptions import HTTPException as StarletteHTTPException`` in FastAPI's docs.
    ns.StarletteHTTPException = base_http_exception
    ns.http_exception_handler = handlers.http_exception_handler
    ns.request_validation_exception_handler = handlers.request_validation_exception_handler
    ns.jsonable_encoder = encoders.jsonable_encoder
    ns.TestClient = testclient.TestClient
    return ns


FASTAPI = _namespace(
    "fastapi", fastapi, fastapi.responses, fastapi.exceptions, fastapi.exception_handlers, fastapi.encoders,
    fastapi.testclient, starlette.exceptions.HTTPException, fastapi.status,
)
FASTRAPI = _namespace(
    "fastrapi", fastrapi, fastrapi.responses, fastrapi.exceptions, fastrapi.exception_handlers, fastrapi.encoders,
    # The tutorials' own import, unchanged: fastrapi answers Starlette's HTTPException as its own.
    fastrapi.testclient, starlette.exceptions.HTTPException, fastrapi.status,
)

AppFactory = Callable[[SimpleNamespace], Any]

# Headers whose value is a set of tokens in an unspecified order (FastAPI keeps methods in a set).
_TOKEN_SET_HEADERS = {"allow"}


@functools.cache
def clients(factory: AppFactory) -> tuple[httpx.Client, httpx.Client]:
    """(FastAPI client, fastrapi client) for the app ``factory`` builds; built once per factory."""
    pair = []
    for fw in (FASTAPI, FASTRAPI):
        app = factory(fw)
        pair.append(fw.TestClient(app, raise_server_exceptions=False, follow_redirects=False))
    return pair[0], pair[1]


def normalized_headers(response: httpx.Response, ignore: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Header (name, value) pairs with lower-cased names, sorted; token-set headers canonicalised."""
    items = []
    for name, value in response.headers.multi_items():
        name = name.lower()
        if name in ignore:
            continue
        if name in _TOKEN_SET_HEADERS:
            value = ", ".join(sorted(token.strip() for token in value.split(",")))
        items.append((name, value))
    return sorted(items)


def describe(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, normalized_headers(response), response.content


def exchange(factory: AppFactory, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, httpx.Response]:
    """(FastAPI's answer, fastrapi's answer) to the same request."""
    expected_client, actual_client = clients(factory)
    return expected_client.request(method, url, **kwargs), actual_client.request(method, url, **kwargs)


def check(factory: AppFactory, method: str, url: str, *, ignore_headers: frozenset[str] = frozenset(),
          **kwargs: Any) -> httpx.Response:
    """Send the request to both apps; assert equal status, headers and body; return FastAPI's answer."""
    expected, actual = exchange(factory, method, url, **kwargs)
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert normalized_headers(actual, ignore_headers) == normalized_headers(expected, ignore_headers)
    return expected
