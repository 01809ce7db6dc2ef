"""FastAPI's tutorial apps on real servers: same status, headers and body as FastAPI's TestClient gives.

Each app runs on ``app.serve()``, on ``gunicorn -k gevent``, and under ``/api`` of a Werkzeug
``DispatcherMiddleware`` on gunicorn.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests import test_differential_core as cases
from tests.differential import FASTAPI, normalized_headers
from tests.servers import GEVENT, SERVE, run_server

# Added by the server, not the app.
SERVER_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding"})

CASES: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "hello_app": [("GET", "/hello", {}), ("GET", "/nope", {}), ("POST", "/hello", {})],
    "first_steps_app": [("GET", "/", {}), ("GET", "/missing", {})],
}
for factory, method, url, kwargs in cases.TUTORIAL_CASES:
    CASES.setdefault(factory.__name__, []).append((method, url, kwargs))

SERVERS = {
    "serve": (SERVE, "app", ""),
    "gunicorn": (GEVENT, "app", ""),
    "dispatcher": (GEVENT, "mounted", "/api"),
}


@pytest.mark.parametrize("server", list(SERVERS))
@pytest.mark.parametrize("factory", list(CASES))
def test_tutorial_app_on_a_real_server(factory: str, server: str) -> None:
    kind, attr, prefix = SERVERS[server]
    expected_client = FASTAPI.TestClient(getattr(cases, factory)(FASTAPI), raise_server_exceptions=False,
                                         follow_redirects=False)
    with run_server(kind, f"tests.apps.differential_app:{attr}", env={"FASTRAPI_FACTORY": factory}) as live, \
            httpx.Client(base_url=f"http://127.0.0.1:{live.port}{prefix}", follow_redirects=False) as client:
        for method, url, kwargs in CASES[factory]:
            expected = expected_client.request(method, url, **kwargs)
            actual = client.request(method, url, **kwargs)
            assert (method, url, actual.status_code, actual.content) == (
                method, url, expected.status_code, expected.content)
            assert normalized_headers(actual, SERVER_HEADERS) == normalized_headers(expected, SERVER_HEADERS)
