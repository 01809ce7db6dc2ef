"""What a newcomer sees in the terminal: app.serve(), fastrapi dev and fastrapi run print where they are, a line
per request, task failures and their stop, with no logging configured; a configured application keeps its own."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastrapi.logging_setup import DefaultHandler, access_line, configure_logging
from tests.servers import ROOT, LiveServer, free_port, stop, wait_ready

APP = '''
import sys, time
from fastrapi import BackgroundTasks, FastrAPI

app = FastrAPI()


def boom():
    raise RuntimeError("task exploded")


def slow():
    print("TASK STARTED", flush=True)
    time.sleep(1)  # long enough to be running when the test sends SIGINT on seeing the line above


@app.get("/hello")
def hello():
    return {"Hello": "World"}


@app.get("/fail")
def fail(background_tasks: BackgroundTasks):
    background_tasks.add_task(boom)
    return {}


@app.get("/slow-task")
def slow_task(background_tasks: BackgroundTasks):
    background_tasks.add_task(slow)
    return {}
'''

ACCESS = re.compile(r'^INFO: {5}127\.0\.0\.1:\d+ - "(GET [^ ]+ HTTP/1\.1)" (\d{3}.*)$')


@contextlib.contextmanager
def serving(tmp_path: Path, main: str = "app.serve('127.0.0.1', PORT, graceful_timeout=5)",
            before: str = "") -> Iterator[LiveServer]:
    """The app above in a file of its own, served by ``main`` (``PORT`` replaced) in a fresh interpreter."""
    port = free_port()
    (tmp_path / "main.py").write_text(before + APP + "\n" + main.replace("PORT", str(port)) + "\n")
    process = subprocess.Popen([sys.executable, "main.py"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_ready(port, process)
        yield LiveServer(process, port)
    finally:
        stop(process)


def interrupt(live: LiveServer) -> int:
    """Ctrl+C: SIGINT, and the exit status."""
    live.process.send_signal(signal.SIGINT)
    return live.process.wait(15)


def test_serve_with_no_logging_configured_prints_its_url_each_request_and_its_stop(tmp_path: Path) -> None:
    with serving(tmp_path) as live:
        port = live.port
        live.wait_for_output("API docs on")
        for path in ("/hello", "/hello?name=a%20b", "/missing"):
            live.request("GET", path)
        live.wait_for_output("/missing HTTP/1.1")
        assert interrupt(live) == 0
        lines = live.lines.text().splitlines()
    assert f"INFO:     fastrapi serving on http://127.0.0.1:{port} (press Ctrl+C to quit)" in lines
    assert f"INFO:     API docs on http://127.0.0.1:{port}/docs" in lines
    # wait_ready's probe of /__ready__ is a request too: one line each, in uvicorn's format.
    access = [m.groups() for m in map(ACCESS.match, lines) if m]
    assert access[-3:] == [("GET /hello HTTP/1.1", "200 OK"), ("GET /hello?name=a%20b HTTP/1.1", "200 OK"),
                           ("GET /missing HTTP/1.1", "404 Not Found")]
    assert lines[-2:] == ["INFO:     Shutting down: waiting up to 5s for 0 requests and 0 background tasks",
                          f"INFO:     Finished server process [{live.process.pid}]"]


def test_the_stop_line_counts_the_background_tasks_it_waits_for(tmp_path: Path) -> None:
    with serving(tmp_path) as live:
        assert live.request("GET", "/slow-task")[0] == 200
        live.wait_for_output("TASK STARTED")
        assert interrupt(live) == 0
        text = live.lines.text()
    assert "Shutting down: waiting up to 5s for 0 requests and 1 background task\n" in text


def test_a_failing_task_is_printed_with_its_traceback(tmp_path: Path) -> None:
    with serving(tmp_path) as live:
        assert live.request("GET", "/fail")[0] == 200
        live.wait_for_output("RuntimeError: task exploded")
        text = live.output()
    failure = text[text.index("ERROR:    Background task boom() failed"):]
    assert "Traceback (most recent call last):" in failure
    assert 'main.py", line' in failure and "in boom" in failure


def test_an_application_that_configured_logging_keeps_its_format_and_gets_no_access_lines(tmp_path: Path) -> None:
    before = "import logging\nlogging.basicConfig(level=logging.INFO, format='APP %(name)s %(message)s')\n"
    with serving(tmp_path, before=before) as live:
        live.wait_for_output("API docs on")
        live.request("GET", "/hello")
        assert interrupt(live) == 0
        lines = live.lines.text().splitlines()
    port = live.port
    assert lines.count(f"APP fastrapi.server fastrapi serving on http://127.0.0.1:{port} (press Ctrl+C to quit)") == 1
    assert not [line for line in lines if "INFO:" in line or "/hello" in line]


def test_access_log_log_level_and_log_config_options(tmp_path: Path) -> None:
    with serving(tmp_path, "app.serve('127.0.0.1', PORT, access_log=True, log_level='warning')") as live:
        live.request("GET", "/hello")
        live.request("GET", "/fail")
        live.wait_for_output("task exploded")
        assert interrupt(live) == 0
        text = live.lines.text()
    assert "ERROR:    Background task boom() failed" in text
    assert "fastrapi serving" not in text and "/hello" not in text

    config = {"version": 1, "disable_existing_loggers": False,
              "formatters": {"plain": {"format": "CUSTOM %(levelname)s %(name)s: %(message)s"}},
              "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "plain",
                                   "stream": "ext://sys.stdout"}},
              "loggers": {"fastrapi": {"handlers": ["out"], "level": "INFO", "propagate": False}}}
    with serving(tmp_path, f"app.serve('127.0.0.1', PORT, log_config={config!r})") as live:
        live.request("GET", "/hello")
        live.wait_for_output('"GET /hello HTTP/1.1" 200 OK')
        text = live.output()
    assert "CUSTOM INFO fastrapi.server: fastrapi serving on" in text
    assert re.search(r'^CUSTOM INFO fastrapi\.access: 127\.0\.0\.1:\d+ - "GET /hello HTTP/1\.1" 200 OK$', text, re.M)

    with serving(tmp_path, "app.serve('127.0.0.1', PORT, access_log=False)") as live:
        live.request("GET", "/hello")
        assert interrupt(live) == 0
        assert "/hello" not in live.lines.text()


def cli(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    (tmp_path / "main.py").write_text(APP)
    return subprocess.Popen([sys.executable, "-m", "fastrapi", *args], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("command", ["dev", "run"])
def test_fastrapi_dev_and_run_print_a_line_per_request(tmp_path: Path, command: str) -> None:
    port = free_port()
    access = ["--access-log"] if command == "run" else []  # on by default in dev only
    process = cli(tmp_path, command, "main:app", "--host", "127.0.0.1", "--port", str(port), *access)
    try:
        wait_ready(port, process)
        live = LiveServer(process, port)
        live.request("GET", "/hello?x=1")
        live.request("GET", "/fail")
        live.wait_for_output("RuntimeError: task exploded")
        index = live.wait_for_output('"GET /hello?x=1 HTTP/1.1" 200')
        assert ACCESS.match(live.lines.lines[index]) or (command == "run" and re.match(
            r'^INFO: {5}127\.0\.0\.1:\d+ - "GET /hello\?x=1 HTTP/1\.1" 200$', live.lines.lines[index]))
        assert "ERROR:    Background task boom() failed" in live.output()
        assert f"http://127.0.0.1:{port}" in live.output()
    finally:
        stop(process)


def test_configure_logging_never_touches_a_configured_root_and_adds_one_handler() -> None:
    ours = logging.getLogger("fastrapi")
    saved = (logging.root.handlers[:], ours.handlers[:], ours.level)
    try:
        logging.root.handlers[:] = []
        ours.handlers[:] = []
        ours.setLevel(logging.NOTSET)
        assert configure_logging() is True
        assert configure_logging() is True
        assert [type(h) for h in ours.handlers] == [DefaultHandler] and ours.level == logging.INFO

        ours.handlers[:] = []
        ours.setLevel(logging.NOTSET)
        root_handler = logging.StreamHandler()
        logging.root.addHandler(root_handler)
        assert configure_logging() is False
        assert ours.handlers == [] and ours.level == logging.NOTSET and logging.root.handlers == [root_handler]
        with pytest.raises(ValueError, match="Unknown log level 'loud'"):
            configure_logging("loud")
    finally:
        logging.root.handlers[:], ours.handlers[:] = saved[0], saved[1]
        ours.setLevel(saved[2])


def test_access_line_is_uvicorns() -> None:
    environ = {"REMOTE_ADDR": "10.0.0.1", "REMOTE_PORT": "5000", "REQUEST_METHOD": "POST",
               "RAW_URI": "/send?email=a%40b", "SERVER_PROTOCOL": "HTTP/1.0"}
    assert access_line(environ, "201 Created") == '10.0.0.1:5000 - "POST /send?email=a%40b HTTP/1.0" 201 Created'
    assert access_line(environ, "418") == '10.0.0.1:5000 - "POST /send?email=a%40b HTTP/1.0" 418 I\'m a Teapot'


def test_the_readme_demo_prints_its_url_and_requests() -> None:
    """The README's demo command's script (port 8080 in the file; run here on a free port through its module)."""
    port = free_port()
    code = ("import examples.background_tasks as demo\n"
            f"demo.app.serve('127.0.0.1', {port})\n")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        wait_ready(port, process)
        live = LiveServer(process, port)
        live.request("POST", "/send?email=ada@example.com")
        live.wait_for_output('"POST /send?email=ada@example.com HTTP/1.1" 200 OK')
        assert interrupt(live) == 0
        text = live.lines.text()
    finally:
        stop(process)
    assert f"fastrapi serving on http://127.0.0.1:{port} (press Ctrl+C to quit)" in text
    assert "Sending email to ada@example.com" in text
    assert text.rstrip().endswith(f"Finished server process [{process.pid}]")


@pytest.mark.parametrize("command", ["dev", "run"])
def test_log_config_file_on_the_command_line(tmp_path: Path, command: str) -> None:
    config = {"version": 1, "disable_existing_loggers": False,
              "formatters": {"plain": {"format": "FROM-FILE %(name)s: %(message)s"}},
              "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "plain",
                                   "stream": "ext://sys.stderr"}},
              "loggers": {"fastrapi": {"handlers": ["out"], "level": "INFO", "propagate": False}}}
    (tmp_path / "logging.json").write_text(json.dumps(config))
    port = free_port()
    process = cli(tmp_path, command, "main:app", "--host", "127.0.0.1", "--port", str(port),
                  "--log-config", "logging.json")
    try:
        wait_ready(port, process)
        live = LiveServer(process, port)
        live.request("GET", "/fail")
        live.wait_for_output("FROM-FILE fastrapi: Background task boom() failed")
        assert "ERROR:    Background task" not in live.output()
    finally:
        stop(process)
