"""The docs site: every page is in the nav, `mkdocs build --strict` passes, and the code blocks of the pages
this file owns run and do what the page says next to them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from fastrapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Pages whose Python blocks other test files run (background tasks: tests/test_docs_background.py).
BLOCKS_TESTED_ELSEWHERE = {"background-tasks.md", "bigger-applications.md", "dependencies.md", "differences.md",
                           "openapi.md", "parameters.md", "running.md", "streaming.md", "websockets.md"}


def blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


def run_block(page: str, index: int = 0) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"docs_{page.replace('-', '_').removesuffix('.md')}_{index}"}
    exec(compile(blocks(page)[index], f"{page}[{index}]", "exec"), namespace)
    return namespace


def nav_pages() -> list[str]:
    return re.findall(r":\s+([\w-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), flags=re.M)


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    pages = sorted(path.name for path in DOCS.glob("*.md"))
    assert sorted(set(nav_pages())) == pages


def test_the_readme_links_pages_that_exist() -> None:
    links = re.findall(r"\]\((docs/[\w-]+\.md)\)", (ROOT / "README.md").read_text())
    assert len(links) >= 10
    assert [link for link in links if not (ROOT / link).is_file()] == []


@pytest.mark.skipif(shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None,
                    reason="the docs extra (mkdocs-material) is not installed")
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-d",
                             str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text()
    assert "First steps" in home and "Logging and metrics" in home


def test_every_page_owned_here_has_its_blocks_run_below() -> None:
    owned = {path.name for path in DOCS.glob("*.md")} - BLOCKS_TESTED_ELSEWHERE
    counts = {page: len(blocks(page)) for page in sorted(owned)}
    assert counts == {"coming-from-fastapi.md": 1, "coming-from-fastrapi.md": 1, "coming-from-flask.md": 1,
                      "deployment.md": 1,
                      "durable-tasks.md": 0, "first-steps.md": 1, "index.md": 1, "observability.md": 2,
                      "performance.md": 0, "testing.md": 2}


def test_home_and_first_steps() -> None:
    for page in ("index.md", "first-steps.md"):
        client = TestClient(run_block(page)["app"])
        assert client.get("/items/5?q=somequery").json() == {"item_id": 5, "q": "somequery"}
        assert client.get("/items/foo").status_code == 422


def test_testing_page_tests_pass() -> None:
    namespace = run_block("testing.md")
    namespace["test_me"]()
    namespace["test_me_overridden"]()
    assert TestClient(namespace["app"]).get("/me").json() == {"user": "alice"}  # the override was cleared


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_testing_page_async_test_passes(backend: str) -> None:
    namespace = run_block("testing.md", 1)
    anyio.run(namespace["test_place_order"], backend=backend)
    assert namespace["sent"] == [7]


def test_deployment_health_check() -> None:
    app = run_block("deployment.md")["app"]
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    assert "/healthz" not in client.get("/openapi.json").json()["paths"]


def test_observability_blocks() -> None:
    namespace = run_block("observability.md", 0)
    assert namespace["LOGGING"]["loggers"]["fastrapi"]["level"] == "INFO"
    client = TestClient(run_block("observability.md", 1)["app"])
    client.get("/items/3")
    assert 'fastrapi_requests_total{method="GET",route="/items/{item_id}",status="200"}' in client.get(
        "/metrics").text


def test_coming_from_fastapi_and_flask() -> None:
    assert TestClient(run_block("coming-from-fastapi.md")["app"]).get("/").json() == {"message": "Hello World"}
    from werkzeug.test import Client

    flask_app = run_block("coming-from-flask.md")["flask_app"]
    client = Client(flask_app)
    assert client.get("/").get_data() == b"the Flask site"
    assert client.get("/api/items/3").get_json() == {"item_id": 3}
    assert client.get("/api/items/x").status_code == 422


def test_coming_from_fastrapi() -> None:
    app = run_block("coming-from-fastrapi.md")["app"]
    response = TestClient(app).get("/hello", headers={"Origin": "https://elsewhere.example"})
    assert (response.json(), response.headers["access-control-allow-origin"]) == ({"Hello": "World"}, "*")

    @app.post("/echo")
    def echo(data: dict[str, Any]) -> dict[str, Any]:  # annotated: a JSON body, as the page says
        return {"received": data}

    @app.post("/untyped")
    def untyped(data):  # type: ignore[no-untyped-def]  # not annotated: a query parameter, as in FastAPI
        return {"received": data}

    client = TestClient(app)
    assert client.post("/echo", json={"a": 1}).json() == {"received": {"a": 1}}
    assert client.post("/untyped?data=x").json() == {"received": "x"}
    assert client.post("/untyped", json={"a": 1}).status_code == 422
    import fastrapi.request
    import fastrapi.websocket

    assert fastrapi.request.Request is fastrapi.Request and fastrapi.websocket.WebSocket is fastrapi.WebSocket
