"""Start real servers on free loopback ports for the live tests, and stop them."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    port: int

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def output(self) -> str:
        out = self.process.stdout.read() if self.process.stdout else b""
        return out.decode(errors="replace")


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Poll until the port accepts connections (or the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stdout.read().decode()}")
        # An HTTP answer, not just a connect: gunicorn's master accepts before its worker is ready.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/__ready__")
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)
        finally:
            conn.close()
    raise TimeoutError(f"server on port {port} not ready after {timeout}s")


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """SIGTERM, wait; kill if it does not go."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextlib.contextmanager
def run_server(kind: str, app: str, env: dict[str, str] | None = None, workers: int = 1,
               graceful_timeout: float = 10.0, serve_options: dict[str, Any] | None = None,
               extra_args: list[str] | None = None, patched: bool = False) -> Iterator[LiveServer]:
    """``kind`` is ``serve`` (app.serve() in a subprocess) or a gunicorn worker class.

    ``serve_options`` are more keyword arguments of ``app.serve()`` (their reprs go into the
    child's code); ``extra_args`` go on gunicorn's command line, before the app. ``patched``
    (``serve`` only) runs ``gevent.monkey.patch_all()`` before the app is imported.
    """
    port = free_port()
    module, _, attr = app.partition(":")
    if kind == "serve":
        options = "".join(f", {name}={value!r}" for name, value in (serve_options or {}).items())
        code = (("from gevent import monkey; monkey.patch_all()\n" if patched else "")
                + f"import logging; logging.basicConfig(level=logging.INFO)\n"
                f"from {module} import {attr} as app\n"
                f"app.serve('127.0.0.1', {port}, graceful_timeout={graceful_timeout}{options})")
        cmd = [sys.executable, "-c", code]
    else:
        cmd = [sys.executable, "-m", "gunicorn", "-k", kind, "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--graceful-timeout", str(int(graceful_timeout)), *(extra_args or []), app]
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, process)
        yield LiveServer(process, port)
    finally:
        stop(process)


class Output:
    """A live server's output, read line by line in a thread; ``since_last_call`` splits it per case
    (the app must print ``MARK <tag>`` for ``GET /mark/<tag>``)."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.lines: list[str] = []
        self.seen = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.live.process.stdout is not None
        for line in self.live.process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    def since_last_call(self) -> list[str]:
        """The lines printed since the previous call, up to a marker printed by the app now."""
        tag = uuid.uuid4().hex
        assert self.live.request("GET", f"/mark/{tag}")[0] == 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for index in range(self.seen, len(self.lines)):
                if self.lines[index] == f"MARK {tag}":
                    lines, self.seen = self.lines[self.seen:index], index + 1
                    return [line for line in lines if not line.startswith("MARK ")]
            time.sleep(0.005)
        raise AssertionError(f"marker {tag} never showed in the output: {self.lines[self.seen:]}")
