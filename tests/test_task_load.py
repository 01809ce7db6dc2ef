"""Load, then a graceful stop: every task ran exactly once.

FASTRAPI_LOAD_REQUESTS sets the number of requests (default 2,000; the issue's figure is 20,000:
``FASTRAPI_LOAD_REQUESTS=20000 python -m pytest tests/test_task_load.py -s``).
"""

from __future__ import annotations

import http.client
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.servers import run_server, stop

REQUESTS = int(os.environ.get("FASTRAPI_LOAD_REQUESTS", "2000"))
CONNECTIONS = 8


def send_jobs(port: int, ids: range) -> int:
    """POST /jobs/<id> for each id over one keep-alive connection; the number answered 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = 0
    try:
        for job_id in ids:
            conn.request("POST", f"/jobs/{job_id}")
            response = conn.getresponse()
            response.read()
            ok += response.status == 200
    finally:
        conn.close()
    return ok


def test_every_task_runs_exactly_once_through_a_graceful_stop(server_kind: str, tmp_path: Path) -> None:
    log = tmp_path / "ran.txt"
    with run_server(server_kind, "tests.apps.task_counter_app:app", env={"FASTRAPI_TEST_TASK_LOG": str(log)},
                    graceful_timeout=20) as live:
        started = time.monotonic()
        chunks = [range(i, REQUESTS, CONNECTIONS) for i in range(CONNECTIONS)]
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            answered = sum(pool.map(lambda ids: send_jobs(live.port, ids), chunks))
        elapsed = time.monotonic() - started
        stopping = time.monotonic()
        assert stop(live.process, timeout=30) == 0, live.output()
        stop_seconds = time.monotonic() - stopping
    ran = Counter(log.read_text().split())
    print(f"\n{server_kind}: {answered} requests in {elapsed:.1f}s ({answered / elapsed:,.0f} req/s), "
          f"graceful stop {stop_seconds:.2f}s, {len(ran)} distinct tasks ran, max runs of one task {max(ran.values())}")
    assert answered == REQUESTS
    assert ran == Counter(str(i) for i in range(REQUESTS))
