"""``fastrapi run`` (gunicorn) and ``fastrapi dev`` (reload), started for real on free loopback ports."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fastrapi.cli import CLIError, main, resolve_target, with_root_path
from tests.servers import GEVENT, ROOT, LiveServer, free_port, stop, wait_ready, wait_until


def events(log: Path) -> list[tuple[str, int]]:
    """(event, pid) pairs recorded by tests/apps/lifespan_app.py."""
    if not log.exists():
        return []
    pairs = []
    for line in log.read_text().splitlines():
        event, _, pid = line.rpartition(" ")
        pairs.append((event, int(pid)))
    return pairs


@contextmanager
def fastrapi(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Iterator[LiveServer]:
    """``python -m fastrapi ARGS --host 127.0.0.1 --port P``, ready, stopped at the end."""
    port = free_port()
    cmd = [sys.executable, "-m", "fastrapi", *args, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, process)
        yield LiveServer(process, port)
    finally:
        stop(process)


# -- finding the app ---------------------------------------------------------------------------


def test_app_argument_forms(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "api.py").write_text("")
    (tmp_path / "main.py").write_text("")
    assert resolve_target("tests.apps.core_app:app", tmp_path) == ("tests.apps.core_app", "app", str(tmp_path))
    assert resolve_target("mymodule", tmp_path) == ("mymodule", "app", str(tmp_path))
    assert resolve_target("main.py:api", tmp_path) == ("main", "api", str(tmp_path))
    assert resolve_target("pkg/sub/api.py", tmp_path) == ("pkg.sub.api", "app", str(tmp_path))
    assert resolve_target(None, tmp_path) == ("main", "app", str(tmp_path))
    with pytest.raises(CLIError, match="does not exist"):
        resolve_target("missing.py", tmp_path)
    with pytest.raises(CLIError, match="No APP given"):
        resolve_target(None, tmp_path / "pkg")


def test_root_path_around_any_wsgi_app() -> None:
    seen = []

    def wsgi_app(environ, start_response):  # type: ignore[no-untyped-def]
        seen.append((environ["SCRIPT_NAME"], environ["PATH_INFO"]))
        return []

    wrapped = with_root_path(wsgi_app, "api/")
    for path in ("/api/x", "/x", "/apix"):
        wrapped({"PATH_INFO": path}, None)
    assert seen == [("/api", "/x"), ("/api", "/x"), ("/api", "/apix")]


def test_the_fastrapi_command_is_declared() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '[project.scripts]\nfastrapi = "fastrapi.cli:main"\n' in pyproject
    result = subprocess.run([sys.executable, "-m", "fastrapi", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    assert "run" in result.stdout and "dev" in result.stdout


def test_a_bad_app_argument_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no/such/file.py"]) == 2
    assert "fastrapi: error: File" in capsys.readouterr().err


# -- fastrapi run ------------------------------------------------------------------------------


def test_run_starts_each_worker_once_and_shuts_each_down_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "events.txt"
    env = {"FASTRAPI_TEST_LIFESPAN_LOG": str(log)}
    with fastrapi("run", "tests.apps.lifespan_app:app", "--workers", "2", "--graceful-timeout", "10",
                  env=env) as live:
        # Startup runs in each worker before it serves, not on a first request.
        wait_until(lambda: len([e for e in events(log) if e[0] == "startup"]) == 2, 15,
                   lambda: f"both workers' startup: {events(log)}\n{live.output()}")
        status, headers, body = live.request("GET", "/pid")
        assert (status, headers["x-middleware"]) == (200, "bridged")
        assert b'"started_in"' in body
        # A background task in flight when SIGTERM arrives finishes before the worker exits.
        assert live.request("POST", "/task?name=in-flight&seconds=1")[0] == 200
        # An idle keep-alive connection does not hold the worker until the graceful timeout.
        idle = http.client.HTTPConnection("127.0.0.1", live.port, timeout=5)
        idle.request("GET", "/pid")
        idle.getresponse().read()  # answered: the connection is idle from here on
        started = time.monotonic()
        assert stop(live.process) == 0
        assert time.monotonic() - started < 8, "shutdown waited for the graceful timeout"
        idle.close()
    recorded = events(log)
    workers = {pid for event, pid in recorded if event == "startup"}
    assert len(workers) == 2
    for pid in workers:
        mine = [event for event, p in recorded if p == pid]
        # Patched before the app was imported; one startup, one shutdown, tasks before shutdown.
        assert mine[0] == "import patched=True"
        assert mine.count("startup") == 1 and mine.count("shutdown") == 1
        assert mine[-1] == "shutdown"
    assert [pid for event, pid in recorded if event == "in-flight"] != []


@pytest.mark.server_kinds(GEVENT)  # fastrapi's worker is the default of every other test here
def test_run_with_gunicorns_gevent_worker(tmp_path: Path, server_kind: str) -> None:
    log = tmp_path / "events.txt"
    with fastrapi("run", "tests/apps/lifespan_app.py", "-k", server_kind, "--graceful-timeout", "5",
                  "--root-path", "/api", env={"FASTRAPI_TEST_LIFESPAN_LOG": str(log)}) as live:
        assert live.request("GET", "/pid")[0] == 200
        assert live.request("GET", "/api/pid")[0] == 200
        assert stop(live.process) == 0
    assert [event for event, _ in events(log)][-1] == "shutdown"


# -- fastrapi dev ------------------------------------------------------------------------------


APP_V1 = '''
from fastrapi import FastrAPI
app = FastrAPI()

@app.get("/version")
def version():
    return {"version": VERSION}

VERSION = 1
'''


def test_dev_reloads_on_change(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(APP_V1)
    with fastrapi("dev", "--reload-delay", "0.1", cwd=tmp_path) as live:
        # The supervisor took its snapshot of mtimes before it started the server that just answered.
        assert live.request("GET", "/version")[2] == b'{"version":1}'
        (tmp_path / "main.py").write_text(APP_V1.replace("VERSION = 1", "VERSION = 2"))

        def reloaded() -> bool:
            try:
                return live.request("GET", "/version", timeout=1)[2] == b'{"version":2}'
            except OSError:
                return False

        wait_until(reloaded, 15, lambda: f"version 2 served\n{live.output()}")
        # A broken edit: the server goes away; fixing it brings the server back.
        (tmp_path / "main.py").write_text("this is not python")
        wait_until(lambda: not reloaded(), 15, "the broken app to stop serving")
        (tmp_path / "main.py").write_text(APP_V1.replace("VERSION = 1", "VERSION = 2"))
        wait_until(reloaded, 15, lambda: f"the fixed app served\n{live.output()}")
        assert stop(live.process) == 0


def test_worker_connections_reach_gunicorn() -> None:
    from fastrapi.cli import build_parser, gunicorn_options

    many = gunicorn_options(build_parser().parse_args(["run", "main:app", "--worker-connections", "20000"]))
    assert many["worker_connections"] == 20000
    assert "worker_connections" not in gunicorn_options(build_parser().parse_args(["run", "main:app"]))


def test_dev_tells_the_app_it_runs_for_development(tmp_path: Path) -> None:
    """As `fastapi dev` (FASTAPI_ENV=development): a frontend whose build is not there yet warns, not fails."""
    (tmp_path / "main.py").write_text(
        "from fastrapi import FastrAPI\n"
        "app = FastrAPI()\n"
        "@app.get('/ping')\n"
        "def ping():\n"
        "    return 'pong'\n"
        "app.frontend('/', directory='dist')\n")
    with fastrapi("dev", "--reload-delay", "0.1", cwd=tmp_path) as live:
        assert live.request("GET", "/ping")[::2] == (200, b'"pong"')
        assert stop(live.process) == 0
