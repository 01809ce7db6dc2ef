"""The interactive docs of ``examples/items_api.py`` in headless Chromium, with the UI served by the app.

The example runs on the embedded server with ``FASTRAPI_DOCS_ASSETS=local`` (no CDN here); the
page must render every operation of the document and log no error (console, uncaught exception,
failed resource). Chromium is driven over the DevTools protocol (``tests/chromium.py``). Without a
browser the tests skip, except on CI (``CI=true``), where they fail: CI installs Debian's chromium.
"""

import importlib.util
import json
import os
from collections.abc import Iterator

import pytest

from fastrapi.openapi.docs_routes import ASSETS_PACKAGE
from tests import chromium
from tests.servers import SERVE, LiveServer, run_server

OPERATIONS_JS = """Array.from(document.querySelectorAll('.opblock')).map(block =>
    block.querySelector('.opblock-summary-method').textContent + ' ' +
    block.querySelector('[data-path]').dataset.path)"""


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium.find_browser()
    if path is None:
        _missing("no Chromium on this machine")
    if importlib.util.find_spec(ASSETS_PACKAGE) is None:
        _missing("the docs-assets extra is not installed")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="module")
def live(browser_path: str) -> Iterator[LiveServer]:
    with run_server(SERVE, "examples.items_api:app", env={"FASTRAPI_DOCS_ASSETS": "local"}) as server:
        yield server


def _document_operations(live: LiveServer) -> list[str]:
    status, _, body = live.request("GET", "/openapi.json")
    assert status == 200
    paths = json.loads(body)["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)


def test_swagger_ui_renders_every_operation_without_errors(browser_path: str, live: LiveServer) -> None:
    expected = _document_operations(live)
    ready = f"(() => {{ const ops = {OPERATIONS_JS}; return ops.length >= {len(expected)} ? ops : null; }})()"
    page = chromium.open_page(browser_path, f"http://127.0.0.1:{live.port}/docs", ready)
    assert page.errors == []
    assert page.value is not None, "Swagger UI rendered no operations"
    assert sorted(page.value) == expected


def test_swagger_ui_calls_the_api(browser_path: str, live: LiveServer) -> None:
    """"Try it out" → "Execute" on GET /items/: Swagger UI shows the app's 200 answer."""
    steps = """(() => {
        const block = document.querySelector('#operations-items-list_items_items__get');
        if (!block) return null;
        if (!block.classList.contains('is-open')) {
            block.querySelector('.opblock-summary-control').click();
            return null;
        }
        const tryOut = block.querySelector('.try-out__btn');
        if (tryOut && !tryOut.classList.contains('cancel')) { tryOut.click(); return null; }
        const execute = block.querySelector('.execute');
        if (execute && !block.dataset.sent) { block.dataset.sent = '1'; execute.click(); return null; }
        const status = block.querySelector('.live-responses-table tbody .response-col_status');
        const body = block.querySelector('.live-responses-table tbody .microlight');
        return status && body ? [status.textContent.trim(), body.textContent] : null;
    })()"""
    page = chromium.open_page(browser_path, f"http://127.0.0.1:{live.port}/docs", steps)
    assert page.errors == []
    assert page.value is not None, "Swagger UI did not show an answer"
    status, body = page.value
    assert status == "200" and json.loads(body)[0]["name"] == "Hammer"


def test_redoc_renders_every_operation(browser_path: str, live: LiveServer) -> None:
    expected = len(_document_operations(live))
    ready = ("(() => { const s = Array.from(document.querySelectorAll('[data-section-id^=\"operation/\"]'));"
             f" return s.length >= {expected} ? s.length : null; }})()")
    page = chromium.open_page(browser_path, f"http://127.0.0.1:{live.port}/redoc", ready)
    assert page.value == expected
    # ReDoc's "API docs by Redocly" footer loads its logo from Redocly's CDN: unreachable offline.
    assert [e for e in page.errors if "cdn.redoc.ly" not in e] == []
