"""Start real servers on free loopback ports for the live tests, wait for what they do, and stop them."""

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import gevent

ROOT = Path(__file__).resolve().parent.parent

# The servers a fastrapi app runs on (``run_server``'s ``kind``), once for every live test.
SERVE = "serve"  # app.serve(): fastrapi's embedded gevent server
GEVENT = "gevent"  # gunicorn -k gevent (gunicorn's own HTTP parser)
WORKER = "fastrapi.gunicorn_worker.Worker"  # fastrapi run: gunicorn with fastrapi's HTTP/1 worker
GEVENT_PYWSGI = "gevent_pywsgi"  # gunicorn -k gevent_pywsgi (gevent's pywsgi parser)
KINDS = (SERVE, GEVENT, WORKER)  # what the ``server_kind`` fixture runs a test on unless narrowed
FASTRAPI_KINDS = (SERVE, WORKER)  # fastrapi's own HTTP/1 parser: header and keep-alive timeouts
GUNICORN_KINDS = (GEVENT, GEVENT_PYWSGI)  # gunicorn's stock gevent workers

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, what: str | Callable[[], str] = "",
               interval: float = 0.005) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that; fail with ``what`` (a
    string, or a callable for a message made at the deadline) after ``timeout`` seconds.

    The pause between polls is ``gevent.sleep``, so a server running in this thread's hub keeps serving.
    """
    deadline = time.monotonic() + timeout
    while True:
        if result := predicate():
            return result
        if time.monotonic() >= deadline:
            detail = what() if callable(what) else what
            name = getattr(predicate, "__name__", repr(predicate))
            raise AssertionError(f"waited {timeout}s for {detail or name}, in vain")
        gevent.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Lines:
    """A child's output (stdout and stderr together), read line by line by a thread of its own."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.lines: list[str] = []
        self._stream = process.stdout
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 10.0, start: int = 0, whole_line: bool = False) -> int:
        """The index of the first line from ``start`` on that contains ``text`` (or is it, with
        ``whole_line``), once it is printed."""
        def matches(line: str) -> bool:
            return line == text if whole_line else text in line

        def found() -> int | None:  # the index + 1, so that line 0 counts as found
            return next((index + 1 for index in range(start, len(self.lines)) if matches(self.lines[index])), None)

        position = wait_until(found, timeout, lambda: f"{text!r} in the output: {self.lines[start:]}")
        assert position is not None
        return position - 1

    def text(self, timeout: float = 5.0) -> str:
        """Everything read: all of it when the process has ended (up to ``timeout`` for the last lines)."""
        self._thread.join(timeout)
        return "".join(f"{line}\n" for line in self.lines)

    def so_far(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    port: int
    _lines: Lines | None = field(default=None, repr=False)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    @property
    def lines(self) -> Lines:
        """The output, read from now on by a thread (started on first use; read nothing else from stdout then)."""
        if self._lines is None:
            self._lines = Lines(self.process)
        return self._lines

    def wait_for_output(self, text: str, timeout: float = 10.0) -> int:
        """Wait until the server prints a line containing ``text``; its index in ``lines.lines``."""
        return self.lines.wait_for(text, timeout)

    def output(self) -> str:
        """What the server printed: all of it once it has stopped, what it printed so far while it runs."""
        if self._lines is None and self.process.poll() is not None:
            out = self.process.stdout.read() if self.process.stdout else b""
            return out.decode(errors="replace")
        if self.process.poll() is None:
            return self.lines.so_far()
        return self.lines.text()


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Poll until the port answers HTTP (or the process died)."""
    def answers() -> bool:
        if process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}: {out}")
        # An HTTP answer, not just a connect: gunicorn's master accepts before its worker is ready.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/__ready__")
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    wait_until(answers, timeout, f"the server on port {port} to answer", interval=0.02)


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
    """``kind`` is ``serve`` (app.serve() in a subprocess) or a gunicorn worker class (see KINDS).

    ``serve_options`` are more keyword arguments of ``app.serve()`` (their reprs go into the
    child's code); ``extra_args`` go on gunicorn's command line, before the app. ``patched``
    (``serve`` only) runs ``gevent.monkey.patch_all()`` before the app is imported.
    """
    port = free_port()
    module, _, attr = app.partition(":")
    if kind == SERVE:
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
    """A live server's output, split per case by ``since_last_call`` (the app must print
    ``MARK <tag>`` for ``GET /mark/<tag>``)."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.seen = 0

    @property
    def lines(self) -> list[str]:
        return self.live.lines.lines

    def since_last_call(self) -> list[str]:
        """The lines printed since the previous call, up to a marker printed by the app now."""
        tag = uuid.uuid4().hex
        assert self.live.request("GET", f"/mark/{tag}")[0] == 200
        index = self.live.lines.wait_for(f"MARK {tag}", timeout=5, start=self.seen, whole_line=True)
        lines, self.seen = self.lines[self.seen:index], index + 1
        return [line for line in lines if not line.startswith("MARK ")]
