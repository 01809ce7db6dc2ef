"""A real redis-server (Debian's package) on a free loopback port, for the durable-task tests.

``redis_server`` (a fixture) starts one per test, in a temporary directory, waits until it answers PING and
stops it by its pid. Tests skip when redis-server is not installed (``.ci/run`` installs it on CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, wait_until

redis = pytest.importorskip("redis")

BINARY = shutil.which("redis-server")


class RedisServer:
    """One redis-server process; ``restart()`` keeps its port and data directory (appendonly survives)."""

    def __init__(self, directory: Path, appendonly: bool = False) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        assert BINARY is not None
        command = [BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                   "--save", "", "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always",
                   "--daemonize", "no", "--loglevel", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until(self._answers, 10, f"redis-server on port {self.port} to answer PING")

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            out = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
            raise RuntimeError(f"redis-server exited with {self.process.returncode}: {out}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process by its pid (SIGTERM: redis-server flushes its append-only file first)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh, empty redis-server for this test (appendonly, fsync at every write, so a restart keeps every
    acknowledged write). Its files go to memory (/dev/shm) where there is one: an fsync to disk costs
    milliseconds, per request."""
    if BINARY is None:
        if os.environ.get("CI") == "true":  # CI installs it (.ci/run): a skip there would hide the reliability tests
            pytest.fail("redis-server is not installed (see .ci/run)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path) as data:
        server = RedisServer(Path(data), appendonly=True)
        server.start()
        try:
            yield server
        finally:
            server.stop()
