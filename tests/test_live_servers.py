"""Real servers on loopback: app.serve() and gunicorn -k gevent, spoken to over HTTP."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.servers import LiveServer, run_server, stop, wait_until


def wait_for_line(path: Path, line: str, timeout: float = 10.0) -> bool:
    """Whether ``line`` shows up in the file at ``path`` within ``timeout`` seconds."""
    try:
        return wait_until(lambda: path.exists() and line in path.read_text().splitlines(), timeout)
    except AssertionError:
        return False


@pytest.fixture(scope="module")
def server(server_kind: str, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("tasks") / "log.txt"
    with run_server(server_kind, "tests.apps.core_app:app", env={"FASTRAPI_TEST_TASK_LOG": str(log)}) as live:
        live.task_log = log  # type: ignore[attr-defined]
        yield live


def test_hello(server: LiveServer) -> None:
    status, headers, body = server.request("GET", "/hello")
    assert (status, body) == (200, b'{"Hello":"World"}')
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == "17"


def test_unknown_route_and_method(server: LiveServer) -> None:
    assert server.request("GET", "/nope")[::2] == (404, b'{"detail":"Not Found"}')
    status, headers, body = server.request("POST", "/hello")
    assert (status, headers["allow"], body) == (405, "GET", b'{"detail":"Method Not Allowed"}')


def test_failures_answer_500_and_the_server_keeps_serving(server: LiveServer) -> None:
    for path in ("/boom", "/unserialisable"):
        status, headers, body = server.request("GET", path)
        assert (status, body) == (500, b"Internal Server Error")
        assert headers["content-type"] == "text/plain; charset=utf-8"
    assert server.request("GET", "/hello")[0] == 200


@pytest.mark.parametrize("path", ["/sleep?seconds=2", "/async-sleep?seconds=2"])
def test_a_sleeping_endpoint_does_not_block_others(server: LiveServer, path: str) -> None:
    results: list[int] = []
    sleeper = threading.Thread(target=lambda: results.append(server.request("GET", path)[0]))
    sleeper.start()
    # The app does not say when the endpoint starts sleeping: give the slow request a head start
    # (not an event; tests/apps/core_app.py would have to record the start for that).
    time.sleep(0.2)
    started = time.monotonic()
    assert server.request("GET", "/hello")[0] == 200
    assert time.monotonic() - started < 1.0
    sleeper.join()
    assert results == [200]


def test_background_task_runs_after_the_response(server: LiveServer) -> None:
    started = time.monotonic()
    status, _, body = server.request("POST", "/task?name=after-response&seconds=1")
    assert time.monotonic() - started < 0.5
    assert (status, body) == (200, b'{"scheduled":"after-response"}')
    # Not within 0.3 s of the answer (the task takes 1 s): a window, the behaviour under test.
    assert not wait_for_line(server.task_log, "after-response", timeout=0.3)  # type: ignore[attr-defined]
    assert wait_for_line(server.task_log, "after-response")  # type: ignore[attr-defined]


def test_keep_alive_connection_serves_many_requests(server: LiveServer) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        for _ in range(20):
            conn.request("GET", "/hello")
            response = conn.getresponse()
            assert response.read() == b'{"Hello":"World"}'
            assert response.getheader("connection", "").lower() != "close"
    finally:
        conn.close()


def test_sigterm_finishes_the_task_in_flight(server_kind: str, tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    with run_server(server_kind, "tests.apps.core_app:app", env={"FASTRAPI_TEST_TASK_LOG": str(log)}) as live:
        assert live.request("POST", "/task?name=in-flight&seconds=1.5")[0] == 200
        # Tasks start in the order they were scheduled: once a later, instant one has run, the
        # in-flight one has started its 1.5 s.
        assert live.request("POST", "/task?name=started&seconds=0")[0] == 200
        assert wait_for_line(log, "started"), live.output()
        assert stop(live.process) == 0
        assert log.read_text().splitlines() == ["started", "in-flight"], live.output()
