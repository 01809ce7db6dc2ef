"""Every code block of docs/background-tasks.md runs, and does what the page says next to it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fastrapi import FastrAPI
from fastrapi.background import BackgroundTask
from fastrapi.testclient import TestClient

PAGE = Path(__file__).resolve().parent.parent / "docs" / "background-tasks.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def run_block(index: int) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"docs_block_{index}"}
    exec(compile(BLOCKS[index], f"{PAGE.name}[{index}]", "exec"), namespace)
    return namespace


def test_the_page_has_the_blocks_these_tests_know() -> None:
    assert len(BLOCKS) == 4  # the 4th, durable tasks: tests/test_durable_docs.py


def test_basic_usage(capsys: pytest.CaptureFixture[str]) -> None:
    app: FastrAPI = run_block(0)["app"]
    assert TestClient(app).post("/send?email=ada@example.com").json() == {
        "message": "Email will be sent in the background"}
    assert capsys.readouterr().out == "Sending email to ada@example.com: Welcome to our service!\n"


def test_error_hook(capsys: pytest.CaptureFixture[str]) -> None:
    app: FastrAPI = run_block(1)["app"]

    def broken() -> None:
        raise ValueError("nope")

    app.background_runner.run_now([BackgroundTask(broken)])
    assert capsys.readouterr().out == "test_error_hook.<locals>.broken failed: ValueError('nope')\n"


def test_metrics_endpoint() -> None:
    app: FastrAPI = run_block(2)["app"]
    assert app.background_runner.concurrency == 200
    body = TestClient(app).get("/metrics").text
    assert "fastrapi_background_tasks_running 0" in body
