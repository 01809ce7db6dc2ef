"""/metrics on prometheus_client: counts and latency per route template, requests in flight, background tasks;
under ``fastrapi run -w 2`` a scrape of either worker shows both workers' counts."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from fastrapi import BackgroundTasks, FastrAPI
from fastrapi.responses import StreamingResponse
from fastrapi.testclient import TestClient
from tests.servers import ROOT, free_port, stop, wait_ready, wait_until


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``{(sample name, sorted labels): value}`` of an exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def client() -> Iterator[tuple[TestClient, threading.Event]]:
    app = FastrAPI()
    release = threading.Event()

    @app.get("/items/{item_id}")
    def item(item_id: int, background_tasks: BackgroundTasks) -> dict[str, int]:
        background_tasks.add_task(lambda: None)
        return {"item_id": item_id}

    @app.get("/broken-task")
    def broken_task(background_tasks: BackgroundTasks) -> dict[str, str]:
        background_tasks.add_task(lambda: 1 / 0)
        return {}

    @app.get("/stream")
    def stream() -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            yield b"a"
            yield b"b"
        return StreamingResponse(chunks())

    app.add_metrics_route("/metrics", registry=CollectorRegistry())
    with TestClient(app) as test_client:
        yield test_client, release


def test_counts_and_latency_per_route_template_never_the_raw_path(client: tuple[TestClient, threading.Event]) -> None:
    test_client, _ = client
    for item_id in (1, 2, 3):
        assert test_client.get(f"/items/{item_id}").status_code == 200
    assert test_client.get("/items/x").status_code == 422
    assert test_client.get("/no/such/path").status_code == 404
    assert test_client.get("/stream").content == b"ab"
    response = test_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    assert value(text, "fastrapi_requests_total", method="GET", route="/items/{item_id}", status="200") == 3
    assert value(text, "fastrapi_requests_total", method="GET", route="/items/{item_id}", status="422") == 1
    assert value(text, "fastrapi_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert value(text, "fastrapi_requests_total", method="GET", route="/stream", status="200") == 1
    assert value(text, "fastrapi_request_duration_seconds_count", method="GET", route="/items/{item_id}") == 4
    assert value(text, "fastrapi_request_duration_seconds_bucket", method="GET", route="/items/{item_id}",
                 le="+Inf") == 4
    assert "/items/1" not in text and "/no/such/path" not in text
    assert value(text, "fastrapi_requests_in_flight") == 1  # the scrape itself
    assert "/metrics" not in test_client.get("/openapi.json").text


def test_background_task_counters(client: tuple[TestClient, threading.Event]) -> None:
    test_client, _ = client
    test_client.get("/items/1")
    test_client.get("/broken-task")
    text = test_client.get("/metrics").text
    assert value(text, "fastrapi_background_tasks_finished", outcome="succeeded") == 1
    assert value(text, "fastrapi_background_tasks_finished", outcome="failed") == 1
    assert value(text, "fastrapi_background_tasks", state="running") == 0
    assert value(text, "fastrapi_background_task_seconds") > 0


APP = '''
import os
from fastrapi import FastrAPI

app = FastrAPI()


@app.get("/pid/{n}")
def pid(n: int):
    return {"pid": os.getpid()}


app.add_metrics_route("/metrics")
'''


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_fastrapi_run_with_two_workers_scrapes_both_workers_counts(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(APP)
    port = free_port()
    env = {key: val for key, val in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    process = subprocess.Popen([sys.executable, "-m", "fastrapi", "run", "main:app", "--host", "127.0.0.1",
                                "--port", str(port), "-w", "2", "--no-access-log"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**env, "PYTHONPATH": str(ROOT)})
    try:
        wait_ready(port, process)
        pids: dict[int, int] = {}
        sent = 0

        def both_workers_served() -> bool:
            nonlocal sent
            status, body = get(port, f"/pid/{sent}")
            assert status == 200
            sent += 1
            worker = json.loads(body)["pid"]
            pids[worker] = pids.get(worker, 0) + 1
            return len(pids) == 2 and sent >= 10

        wait_until(both_workers_served, 20, "requests served by both workers")
        for _ in range(4):  # whichever worker answers the scrape, it sums both
            text = get(port, "/metrics")[1].decode()
            assert value(text, "fastrapi_requests_total", method="GET", route="/pid/{n}", status="200") == sent
            pid_labels = {dict(labels).get("pid") for (name, labels) in samples(text)
                          if name == "fastrapi_requests_in_flight"}
            assert value(text, "fastrapi_requests_in_flight") >= 1
        assert pid_labels == {None}  # livesum: one sum over the live workers
    finally:
        assert stop(process) == 0
    assert not list(Path("/tmp").glob(f"fastrapi-metrics-*/counter_{next(iter(pids))}.db"))
