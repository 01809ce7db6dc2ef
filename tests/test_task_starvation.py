"""Blocking background tasks never make ``def`` requests wait: 100 tasks sleeping 3 s, 50 requests answered at once.

Unpatched, ``app.serve()`` runs ``def`` endpoints on a pool of 40 threads; blocking tasks get a
pool of their own (``background_threads``), so a flood of them cannot take the endpoints'
threads. Patched, both run cooperatively in greenlets. Each server is a subprocess.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from fastrapi.background import DEFAULT_THREADS
from tests.servers import SERVE, LiveServer, run_server, wait_until

TASKS = 100
TASK_SECONDS = 3
REQUESTS = 50
CLIENTS = 5
LIMIT = 0.1  # seconds a def request may take while the tasks sleep


def stats(live: LiveServer) -> dict[str, float]:
    status, _, body = live.request("GET", "/stats", timeout=2)
    assert status == 200
    return json.loads(body)


def timed_requests(port: int, count: int, took: list[float]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", "/hello")
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, b'{"Hello":"World"}')
            took.append(time.perf_counter() - started)
    finally:
        conn.close()


@pytest.mark.parametrize("patched", [False, True], ids=["unpatched", "patched"])
def test_def_requests_do_not_wait_behind_blocking_tasks(patched: bool) -> None:
    with run_server(SERVE, "tests.apps.blocking_tasks_app:app", graceful_timeout=1, patched=patched) as live:
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=2)  # a request stuck behind tasks times out
        try:
            for _ in range(TASKS):
                conn.request("POST", f"/queue?seconds={TASK_SECONDS}")
                response = conn.getresponse()
                assert response.status == 200, response.read()
                response.read()
        finally:
            conn.close()
        running = TASKS if patched else DEFAULT_THREADS  # unpatched, the rest wait for a task thread

        def started() -> dict[str, float] | None:
            counts = stats(live)
            return counts if counts["running"] >= running else None

        counts = wait_until(started, 2, lambda: f"{running} tasks running: {stats(live)}")
        assert counts["running"] + counts["queued"] == TASKS, counts

        took: list[float] = []
        clients = [threading.Thread(target=timed_requests, args=(live.port, REQUESTS // CLIENTS, took))
                   for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(10)
        assert len(took) == REQUESTS
        assert max(took) < LIMIT, sorted(took)[-5:]
        assert stats(live)["running"] >= running, "the tasks were still sleeping while the requests were answered"
