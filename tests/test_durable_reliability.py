"""Durable tasks across real processes and a real Redis: a web process killed mid-load, a worker killed mid-task,
Redis killed and restarted (appendonly), two web servers and two workers on one Redis. Every task a client got
a 2xx for runs."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.redis_server import RedisServer, redis_server  # noqa: F401  (the fixture)
from tests.servers import GEVENT, ROOT, SERVE, WORKER, Lines, LiveServer, run_server, wait_until

pytest.importorskip("rq")

APP = "tests.apps.durable_app:app"


@contextlib.contextmanager
def worker(server: RedisServer, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """``fastrapi worker`` for the app, quick to requeue a dead worker's job; stopped by its pid (SIGTERM)."""
    command = [sys.executable, "-m", "fastrapi", "worker", APP, "--maintenance-interval", "1",
               "--abandoned-after", "1", *args]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "FASTRAPI_TEST_REDIS": server.url},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = Lines(process)
    try:
        lines.wait_for("Listening on default", timeout=20)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def web(kind: str, server: RedisServer) -> contextlib.AbstractContextManager[LiveServer]:
    return run_server(kind, APP, env={"FASTRAPI_TEST_REDIS": server.url})


def values(server: RedisServer, key: str) -> list[int]:
    return [int(value) for value in server.client().lrange(key, 0, -1)]


def load(numbers: range, port_of: Callable[[int], int], threads: int = 8) -> set[int]:
    """POST /items/n for each n, from ``threads`` keep-alive clients; the n that got a 2xx."""
    accepted: set[int] = set()
    todo = iter(numbers)
    lock = threading.Lock()

    def client() -> None:
        conn: http.client.HTTPConnection | None = None
        port = 0
        while True:
            with lock:
                n = next(todo, None)
            if n is None:
                break
            if conn is None or port != port_of(n):
                port = port_of(n)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", f"/items/{n}")
                response = conn.getresponse()
                response.read()
                if 200 <= response.status < 300:
                    with lock:
                        accepted.add(n)
            except (OSError, http.client.HTTPException):  # the server died under this request: no 2xx
                conn.close()
                conn = None

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return accepted


def test_web_process_killed_mid_load_every_2xx_task_runs(redis_server: RedisServer) -> None:  # noqa: F811
    total = 2000
    ports: dict[str, int] = {}
    killed = threading.Event()
    with worker(redis_server, "-w", "2"), web(SERVE, redis_server) as first:
        ports["now"] = first.port

        def port_of(n: int) -> int:
            if n == total // 2 and not killed.is_set():
                killed.set()
                os.kill(first.process.pid, signal.SIGKILL)  # halfway: no graceful anything
            return ports["now"]

        before = load(range(total // 2 + 1), port_of)
        first.process.wait(5)
        with web(SERVE, redis_server) as second:  # restarted
            ports["now"] = second.port
            after = load(range(total // 2 + 1, total), port_of)
        accepted = before | after
        assert len(after) == total - total // 2 - 1  # the restarted server took them all
        assert len(accepted) > total * 0.9
        wait_until(lambda: set(values(redis_server, "done")) >= accepted, 60,
                   lambda: f"{len(accepted - set(values(redis_server, 'done')))} of {len(accepted)} accepted tasks")
    done = values(redis_server, "done")
    assert accepted <= set(done)
    # At-least-once: a request whose answer was lost in the kill may have been enqueued too, never the reverse.
    assert set(done) <= set(range(total))


def test_worker_killed_mid_task_the_task_runs_again(redis_server: RedisServer) -> None:  # noqa: F811
    client = redis_server.client()
    with web(WORKER, redis_server) as server:
        with worker(redis_server) as first:
            assert server.request("POST", "/slow/1?seconds=1.5")[0] == 200
            wait_until(lambda: client.llen("slow:started") == 1, 10, "the slow task to start")
            for n in range(20):
                assert server.request("POST", f"/items/{n}")[0] == 200
            os.kill(first.pid, signal.SIGKILL)  # mid-task
            first.wait(5)
        assert values(redis_server, "slow") == []
        with worker(redis_server):  # its maintenance finds the dead worker's job and requeues it (RQ)
            wait_until(lambda: values(redis_server, "slow") == [1], 20, "the killed task to run again")
            wait_until(lambda: len(values(redis_server, "done")) == 20, 10, "the other tasks")
        assert values(redis_server, "slow:started") == [1, 1]  # twice: at least once, so tasks must be idempotent
        assert sorted(values(redis_server, "done")) == list(range(20))


def test_redis_killed_and_restarted_queued_jobs_run(redis_server: RedisServer) -> None:  # noqa: F811
    with web(GEVENT, redis_server) as server:
        for n in range(50):
            assert server.request("POST", f"/items/{n}")[0] == 200
        redis_server.stop(signal.SIGKILL)  # appendfsync always: what was acknowledged is on disk
        status, _, body = server.request("POST", "/items/999")
        assert (status, body) == (503, b'{"detail":"Task queue unavailable"}')
        redis_server.start()  # same port, same directory: the append-only file is read back
        assert redis_server.client().llen("rq:queue:default") == 50

        def answers() -> bool:  # the web process's pool reconnects on its own
            return server.request("POST", "/items/50")[0] == 200

        wait_until(answers, 10, "the web process to reach Redis again", interval=0.1)
        with worker(redis_server):
            wait_until(lambda: len(values(redis_server, "done")) == 51, 20, "the queued tasks")
    assert sorted(values(redis_server, "done")) == list(range(51))


def test_two_web_processes_and_two_workers_share_one_redis(redis_server: RedisServer) -> None:  # noqa: F811
    total = 600
    with web(WORKER, redis_server) as one, web(GEVENT, redis_server) as two, worker(redis_server, "-w", "2"):
        accepted = load(range(total), lambda n: one.port if n % 2 else two.port)
        assert accepted == set(range(total))
        wait_until(lambda: len(values(redis_server, "done")) >= total, 30, "every task")
        assert one.request("POST", "/three/1")[0] == 200
        wait_until(lambda: redis_server.client().llen("order") == 3, 10, "the request's other tasks")
    assert sorted(values(redis_server, "done")) == list(range(total))
    # In the order added, on whichever worker each lands; the one that fails does not hold back the last.
    assert [v.decode() for v in redis_server.client().lrange("order", 0, -1)] == ["1a", "1b", "1c"]
