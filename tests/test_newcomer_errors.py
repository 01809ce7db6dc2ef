"""The common mistakes answer with one paragraph and exit status 1: a taken port, no such attribute (listing the
module's apps), a module that does not import (the user's traceback), an app that is not WSGI; and --version."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastapi
import fastapi.exceptions
import pytest

import fastrapi
import fastrapi.exceptions
from tests.servers import ROOT

FILES = {
    "main.py": "from fastrapi import FastrAPI\n\napp = FastrAPI()\nadmin = FastrAPI()\n",
    "broken.py": "import json\n\n\ndef settings():\n    return json.loads('{}')['database_url']\n\n\n"
                 "DATABASE = settings()\n",
    "asgi.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "data.py": "app = {'not': 'an app'}\n",
    "serve_main.py": "import sys\nfrom main import app\n\napp.serve('127.0.0.1', int(sys.argv[1]))\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def fastrapi_command(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fastrapi", *args], cwd=project, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def error_of(result: subprocess.CompletedProcess[str]) -> str:
    """The paragraph after ``fastrapi: error:`` (gunicorn's own bracketed log lines aside)."""
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    start = next(i for i, line in enumerate(lines) if line.startswith("fastrapi: error: "))
    return "\n".join(lines[start:])


def test_no_such_attribute_lists_the_modules_apps(project: Path) -> None:
    message = error_of(fastrapi_command(project, "run", "main:ap", "--port", "0"))
    assert message == ("fastrapi: error: Module 'main' has no attribute 'ap'. FastrAPI apps in it: app, admin; "
                       "run it as main:app.")


def test_a_module_that_does_not_import_shows_the_users_traceback(project: Path) -> None:
    message = error_of(fastrapi_command(project, "run", "broken", "--port", "0"))
    assert message.startswith("fastrapi: error: Importing module 'broken' failed; the error is in the "
                              "application's code:\nTraceback (most recent call last):\n")
    assert message.endswith("KeyError: 'database_url'")
    frames = [line for line in message.splitlines() if line.startswith("  File ")]
    assert [frame.split(", ")[1:] for frame in frames] == [["line 8", "in <module>"], ["line 5", "in settings"]]
    assert all("broken.py" in frame for frame in frames)


def test_no_such_module(project: Path) -> None:
    message = error_of(fastrapi_command(project, "run", "mian:app", "--port", "0"))
    assert message.startswith(f"fastrapi: error: Could not import module 'mian': no such module in {project}.")


@pytest.mark.parametrize(("target", "expected"), [
    ("asgi:app", "fastrapi: error: asgi:app is an ASGI application (fastapi.applications.FastAPI); fastrapi "
                 "serves WSGI applications. For a FastAPI app, import FastAPI from fastrapi instead of fastapi"),
    ("data:app", "fastrapi: error: data:app is a dict, not a WSGI application"),
])
def test_an_app_that_is_not_wsgi(project: Path, target: str, expected: str) -> None:
    assert error_of(fastrapi_command(project, "run", target, "--port", "0")).startswith(expected)


@pytest.mark.parametrize("command", ["run", "dev"])
def test_a_taken_port_for_run_and_dev(project: Path, taken_port: int, command: str) -> None:
    result = fastrapi_command(project, command, "main:app", "--host", "127.0.0.1", "--port", str(taken_port))
    assert error_of(result) == (
        f"fastrapi: error: Cannot listen on 127.0.0.1:{taken_port}: the address is already in use (another server "
        f"is running there?). Stop that process (`lsof -i :{taken_port}` finds it) or choose another port (--port).")
    assert "Traceback" not in result.stderr


def test_a_taken_port_for_app_serve(project: Path, taken_port: int) -> None:
    result = subprocess.run([sys.executable, "serve_main.py", str(taken_port)], cwd=project, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stderr == (f"ERROR:    Cannot listen on 127.0.0.1:{taken_port}: the address is already in use "
                             f"(another server is running there?). Stop that process (`lsof -i :{taken_port}` "
                             f"finds it) or choose another port.\n")


def test_version(project: Path) -> None:
    result = fastrapi_command(project, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith(f"fastrapi {fastrapi.__version__} (Python ")


def test_dev_shows_the_mistake_and_waits_for_a_fix(project: Path) -> None:
    from tests.servers import Lines, stop

    process = subprocess.Popen([sys.executable, "-m", "fastrapi", "dev", "main:ap", "--port", "0"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        lines = Lines(process)
        error = lines.wait_for("fastrapi: error: Module 'main' has no attribute 'ap'.", timeout=20)
        lines.wait_for("fastrapi dev: the app stopped (exit status 1); waiting for a change to restart it",
                       start=error)
        assert not any("Traceback" in line for line in lines.lines)
    finally:
        stop(process)


class _NotPydantic:
    pass


@pytest.mark.parametrize("declare", [
    lambda app: app.get("/", response_model=_NotPydantic),
    lambda app: app.get("/", response_model=list[_NotPydantic]),
    lambda app: app.get("/", responses={500: {"model": _NotPydantic}}),
    lambda app: app.get("/", responses={"404": {"model": list[_NotPydantic]}}),
], ids=["model", "list", "responses", "responses-list"])
def test_a_response_model_pydantic_cannot_use_fails_where_the_route_is_added(declare: Any) -> None:
    """As FastAPI: a FastAPIError when the route is added, with the hint to turn the model off."""
    for module in (fastapi, fastrapi):
        with pytest.raises(module.exceptions.FastAPIError) as failed:
            declare(module.FastAPI())(lambda: None)
        if module is fastrapi:
            assert "is not a valid Pydantic field type" in str(failed.value)
            assert "response_model=None" in str(failed.value)
