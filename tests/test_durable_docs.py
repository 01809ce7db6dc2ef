"""The "Durable tasks" block of docs/background-tasks.md runs, and does what the page says under TestClient."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from fastrapi.testclient import TestClient
from tests.servers import free_port
from tests.test_docs_background import BLOCKS

pytest.importorskip("rq")


def test_the_durable_block_runs_inline_under_testclient(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code = BLOCKS[3].replace("redis://127.0.0.1:6379/0", f"redis://127.0.0.1:{free_port()}/0")  # no Redis there
    module = types.ModuleType("docs_durable_block")  # importable by name, as a worker needs
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, "background-tasks.md[3]", "exec"), module.__dict__)
    namespace: dict[str, Any] = module.__dict__
    sent: list[tuple[str, str]] = []
    namespace["SENT"] = sent  # the page's task body is "...": record its calls instead
    namespace["send_welcome_email"].__code__ = (lambda email, name: SENT.append((email, name))).__code__  # noqa: F821
    response = TestClient(namespace["app"]).post("/register?email=ada@example.com&name=Ada")
    assert response.json() == {"ok": True}
    assert sent == [("ada@example.com", "Ada")]  # ran inline, as a worker would have
    assert capsys.readouterr().out == "registered\n"
    response = TestClient(namespace["app"], run_background_tasks=False).post("/register?email=a@b.c&name=A")
    assert (response.status_code, response.json()) == (503, {"detail": "Task queue unavailable"})
