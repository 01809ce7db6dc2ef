"""Every example of the background-tasks page runs unchanged and does what the page says.

On TestClient (tasks run before the call returns) and on real servers: ``app.serve()`` and
``gunicorn -k gevent``, where the timing promises are checked.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import time
from types import ModuleType

import pytest

from fastrapi import BackgroundTasks
from fastrapi.testclient import TestClient
from tests.seed_page import EXAMPLES, NAMES, PAGE, page_examples
from tests.servers import LiveServer, run_server, stop


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"seed_page_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's tasks sleep to simulate work; TestClient tests need not wait for it."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


# A clone alone has no ../shared: skip this check there (CI, which has ../shared, runs it).
@pytest.mark.skipif(not PAGE.is_file(), reason=f"{PAGE} is not beside this checkout (a fresh clone alone); "
                    "examples/background_page/ holds the verbatim copies the other tests run")
def test_the_examples_are_the_page_verbatim() -> None:
    assert page_examples(PAGE.read_text()) == [(EXAMPLES / f"{name}.py").read_text() for name in NAMES]


# -- TestClient ---------------------------------------------------------------------------------

def test_basic_usage(capsys: pytest.CaptureFixture[str]) -> None:
    response = TestClient(load("basic").app).post("/send", params={"email": "ada@example.com"})
    assert response.json() == {"message": "Email will be sent in the background"}
    assert capsys.readouterr().out == "Sending email to ada@example.com: Welcome to our service!\n"


def test_tasks_with_arguments(capsys: pytest.CaptureFixture[str], no_sleep: None) -> None:
    response = TestClient(load("arguments").app).post("/process/7")
    assert response.json() == {"status": "accepted", "item_id": 7}
    assert capsys.readouterr().out == "Processing item 7 with priority high\nFinished processing item 7\n"


def test_multiple_tasks_run_in_the_order_added(capsys: pytest.CaptureFixture[str]) -> None:
    response = TestClient(load("multiple").app).post("/action", params={"user_id": 3, "action": "login"})
    assert response.json() == {"status": "success", "action": "login"}
    assert capsys.readouterr().out.splitlines() == [
        "User 3 performed: login", "Analytics updated for action: login", "Notification sent to user 3",
    ]


def test_email_notifications(capsys: pytest.CaptureFixture[str]) -> None:
    client = TestClient(load("email").app)
    response = client.post("/register", json={"email": "ada@example.com", "name": "Ada"})
    assert response.json() == {"message": "User Ada registered successfully"}
    assert capsys.readouterr().out == "Sending welcome email to ada@example.com\n"
    bad = client.post("/register", json={"email": "not-an-email", "name": "Ada"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "email"]
    assert capsys.readouterr().out == ""


def test_file_processing(capsys: pytest.CaptureFixture[str], no_sleep: None) -> None:
    response = TestClient(load("file_processing").app).post("/upload", params={"filename": "report.csv"})
    assert response.json() == {"status": "accepted", "message": "File uploaded and processing started"}
    assert capsys.readouterr().out == "Starting to process report.csv\nFinished processing report.csv\n"


def test_cache_warming(capsys: pytest.CaptureFixture[str]) -> None:
    module = load("cache_warming")
    response = TestClient(module.app).post("/users/5/settings", json={"theme": "dark"})
    assert response.json() == {"message": "Settings updated"}
    assert module.cache == {5: {"name": "John", "preferences": {...}}}
    assert capsys.readouterr().out == "Warming cache for user 5\n"


def test_logging_and_analytics(capsys: pytest.CaptureFixture[str]) -> None:
    response = TestClient(load("analytics").app).get("/api/data", params={"user_id": 9})
    assert response.json() == {"data": [1, 2, 3, 4, 5]}
    assert capsys.readouterr().out.startswith("Logging: User 9 accessed /api/data at ")


def test_error_handling_inside_the_task(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(load("errors").app)
    assert client.post("/task", params={"data": "payload"}).json() == {"status": "accepted"}
    assert capsys.readouterr().out == "Processing: payload\n"
    with caplog.at_level(logging.ERROR):
        assert client.post("/task", params={"data": ""}).json() == {"status": "accepted"}
    assert "Background task failed: Data cannot be empty" in caplog.text


# -- real servers -------------------------------------------------------------------------------

UNBUFFERED = {"PYTHONUNBUFFERED": "1"}


def timed(server: LiveServer, method: str, path: str) -> tuple[int, float]:
    started = time.monotonic()
    status = server.request(method, path)[0]
    return status, time.monotonic() - started


def test_live_the_response_arrives_before_a_two_second_task_ends_and_sigterm_lets_it_finish(server_kind: str) -> None:
    with run_server(server_kind, "examples.background_page.arguments:app", env=UNBUFFERED) as live:
        status, elapsed = timed(live, "POST", "/process/7")
        assert status == 200
        assert elapsed < 0.1
        live.wait_for_output("Processing item 7 with priority high")  # the task has started its 2 s of work
        assert stop(live.process) == 0  # SIGTERM while the task is in flight
        output = live.output()
    assert "Processing item 7 with priority high" in output
    assert "Finished processing item 7" in output, output


def test_live_three_tasks_run_in_the_order_added(server_kind: str) -> None:
    with run_server(server_kind, "examples.background_page.multiple:app", env=UNBUFFERED) as live:
        assert live.request("POST", "/action?user_id=3&action=login")[0] == 200
        stop(live.process)
        # stdout and stderr share the pipe, and an unbuffered print writes its text and its newline
        # separately, so a log line can land between them: find the messages, not whole lines.
        lines = re.findall(r"User 3 performed: login|Analytics updated for action: login|Notification sent to user 3",
                           live.output())
    assert lines == ["User 3 performed: login", "Analytics updated for action: login", "Notification sent to user 3"]


def test_live_requests_are_answered_at_once_while_a_five_second_task_runs(server_kind: str) -> None:
    with run_server(server_kind, "examples.background_page.file_processing:app", env=UNBUFFERED) as live:
        assert live.request("POST", "/upload?filename=big.bin")[0] == 200
        live.wait_for_output("Starting to process big.bin")  # its 5 s have begun
        for path in ("/upload?filename=second.bin", "/nope"):
            status, elapsed = timed(live, "POST", path)
            assert status in (200, 404)
            assert elapsed < 0.1, path
        stop(live.process)
        output = live.output()
    assert "Finished processing big.bin" in output and "Finished processing second.bin" in output


@pytest.mark.parametrize("name", ["basic", "email", "cache_warming", "analytics", "errors"])
def test_live_the_other_examples(server_kind: str, name: str) -> None:
    requests = {
        "basic": ("POST", "/send?email=ada@example.com", None, "Sending email to ada@example.com"),
        "email": ("POST", "/register", b'{"email": "ada@example.com", "name": "Ada"}', "Sending welcome email"),
        "cache_warming": ("POST", "/users/5/settings", b'{"theme": "dark"}', "Warming cache for user 5"),
        "analytics": ("GET", "/api/data?user_id=9", None, "Logging: User 9 accessed /api/data"),
        "errors": ("POST", "/task?data=payload", None, "Processing: payload"),
    }
    method, path, body, printed = requests[name]
    with run_server(server_kind, f"examples.background_page.{name}:app", env=UNBUFFERED) as live:
        status, _, _ = live.request(method, path, body=body, headers={"Content-Type": "application/json"})
        assert status == 200
        stop(live.process)
        assert printed in live.output()


def test_live_a_raising_task_is_logged_and_the_next_one_runs(server_kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log.txt"
    with run_server(server_kind, "tests.apps.core_app:app", env={"FASTRAPI_TEST_TASK_LOG": str(log)}) as live:
        assert live.request("POST", "/fail-then-record?name=after-failure")[0] == 200
        stop(live.process)
        output = live.output()
    assert "Background task" in output and "ValueError: task failed on purpose" in output
    assert log.read_text().splitlines() == ["after-failure"]


def test_live_wsgiref_runs_tasks_after_the_response_on_a_worker_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import http.client
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    module = load("basic")
    seen: list[str] = []
    module.send_email = lambda email, message: seen.append(threading.current_thread().name)  # type: ignore[attr-defined]
    module.app.router.routes.clear()
    module.app.router._changed()

    @module.app.post("/send")
    def send(email: str, background_tasks: BackgroundTasks):
        background_tasks.add_task(module.send_email, email, "hi")
        return {"ok": True}

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = make_server("127.0.0.1", 0, module.app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request("POST", "/send?email=a@b.c")
        assert conn.getresponse().read() == b'{"ok":true}'
        conn.close()
        assert module.app.drain(5)
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 1 and seen[0].startswith("fastrapi-bg")
