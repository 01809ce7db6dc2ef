"""``fastrapi run`` (production: gunicorn, gevent workers) and ``fastrapi dev`` (one process, reload on change).

``APP`` is ``module:attribute``, ``module`` (attribute ``app``), or a file such as ``main.py`` or
``src/pkg/main.py:api``; without it, ``main.py``, ``app.py`` or ``api.py`` in the current directory.
The app is imported only after gevent's monkey-patching, in each serving process.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fastrapi.app_loading import AppLoadError, check_port_free
from fastrapi.app_target import CLIError, import_app, resolve_target  # re-exported: the CLI's API

WORKER_CLASSES = {
    "pywsgi": "fastrapi.gunicorn_worker.Worker",
    "gevent": "gevent",
    "gevent_pywsgi": "gevent_pywsgi",
}
_SKIPPED_DIRS = {".git", ".hg", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache",
                 ".ruff_cache", ".tox"}


# uvicorn's access line (``127.0.0.1:54321 - "GET / HTTP/1.1" 200``) in gunicorn's atoms.
ACCESS_LOG_FORMAT = 'INFO:     %(h)s:%({remote_port}e)s - "%(r)s" %(s)s'
APP_LOAD_ERROR, WORKER_BOOT_ERROR = 4, 3  # gunicorn's exit statuses when a worker cannot load the app
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def with_root_path(app: Any, root_path: str | None) -> Any:
    """The app, served under ``root_path`` (the prefix a proxy strips, or not, before the app)."""
    if not root_path:
        return app
    root_path = "/" + root_path.strip("/")
    if hasattr(app, "root_path"):  # FastrAPI: move the prefix to SCRIPT_NAME itself
        app.root_path = root_path
        return app

    def under_root_path(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or ""
        if path == root_path or path.startswith(root_path + "/"):
            environ["PATH_INFO"] = path[len(root_path):]
        environ["SCRIPT_NAME"] = root_path
        return app(environ, start_response)

    return under_root_path


# -- fastrapi run: gunicorn ----------------------------------------------------------------------


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """gunicorn settings for ``fastrapi run``."""
    from fastrapi import gunicorn_conf

    options: dict[str, Any] = {
        "bind": [f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"],
        "worker_class": WORKER_CLASSES.get(args.worker_class, args.worker_class),
        "graceful_timeout": args.graceful_timeout,
        "timeout": args.timeout,
        "keepalive": args.keep_alive,
        "post_worker_init": gunicorn_conf.post_worker_init,
        "worker_exit": gunicorn_conf.worker_exit,
        "child_exit": gunicorn_conf.child_exit,
        "proc_name": "fastrapi",
        "loglevel": args.log_level,
    }
    if args.workers is not None:
        options["workers"] = args.workers
    if args.worker_connections is not None:
        options["worker_connections"] = args.worker_connections
    if args.access_log:
        options["accesslog"] = "-"
        options["access_log_format"] = ACCESS_LOG_FORMAT
    if args.forwarded_allow_ips is not None:
        options["forwarded_allow_ips"] = args.forwarded_allow_ips
    return options


def check_log_config(path: str) -> None:
    """``--log-config FILE`` exists and parses, before any server starts (each worker applies it)."""
    from fastrapi.logging_setup import read_config

    if not Path(path).is_file():
        raise CLIError(f"The log config file {path} does not exist")
    try:
        read_config(path)
    except (ValueError, OSError) as exc:
        raise CLIError(f"The log config file {path} cannot be read: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Serve with gunicorn; each worker patches with gevent, then imports the app (no preload)."""
    from gunicorn.app.base import BaseApplication

    module, attribute, directory = resolve_target(args.app)
    options = gunicorn_options(args)

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            try:
                return with_root_path(import_app(module, attribute, directory), args.root_path)
            except AppLoadError as exc:  # gunicorn prints just the message of its AppImportError, then exits
                from gunicorn.errors import AppImportError

                raise AppImportError(f"fastrapi: error: {exc}") from None

    if args.header_timeout is not None:  # read by fastrapi's worker in each (forked) worker process
        os.environ["FASTRAPI_HEADER_TIMEOUT"] = str(args.header_timeout)
    check_port_free(args.host, args.port)
    # Each worker gives fastrapi's loggers a default handler (gunicorn_conf.post_worker_init) at this level.
    os.environ["FASTRAPI_LOG_LEVEL"] = args.log_level
    if args.log_config:
        check_log_config(args.log_config)
        os.environ["FASTRAPI_LOG_CONFIG"] = str(Path(args.log_config).resolve())
    print(f"fastrapi: serving {module}:{attribute} on http://{args.host}:{args.port} "
          f"(gunicorn, worker {options['worker_class']}; press Ctrl+C to quit)", file=sys.stderr, flush=True)
    master = os.getpid()
    metrics_dir = prepare_metrics_dir()
    try:
        Application().run()
    except SystemExit as exc:
        # The master halts with gunicorn's own status once a worker printed why it could not load the app.
        # (A forked worker leaves through here too, with the status the master reads: leave that alone.)
        if os.getpid() == master and exc.code in (APP_LOAD_ERROR, WORKER_BOOT_ERROR):
            return 1
        raise
    finally:
        if metrics_dir is not None and os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def prepare_metrics_dir() -> str | None:
    """A fresh ``PROMETHEUS_MULTIPROC_DIR`` for the workers (when prometheus_client is installed and the user
    set none), so that ``/metrics`` on any worker sums them all; removed when the server stops."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or importlib.util.find_spec("prometheus_client") is None:
        return None
    directory = tempfile.mkdtemp(prefix="fastrapi-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


# -- fastrapi dev: one process, restarted on change ---------------------------------------------


def serve_child(args: argparse.Namespace) -> int:
    """The process ``fastrapi dev`` runs: patch, import, ``app.serve()``."""
    from gevent import monkey

    monkey.patch_all()
    module, attribute, directory = resolve_target(args.app)
    app = with_root_path(import_app(module, attribute, directory), args.root_path)
    app.serve(args.host, args.port, graceful_timeout=args.graceful_timeout, access_log=args.access_log,
              log_level=args.log_level, log_config=args.log_config)
    return 0


def source_files(directories: Sequence[str]) -> Iterator[Path]:
    """The ``.py`` files under ``directories``, skipping caches, VCS and virtualenvs."""
    for top in directories:
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")]
            for name in files:
                if name.endswith(".py"):
                    yield Path(root, name)


def snapshot(directories: Sequence[str]) -> dict[Path, float]:
    stamps = {}
    for path in source_files(directories):
        try:
            stamps[path] = path.stat().st_mtime
        except OSError:
            continue
    return stamps


def dev(args: argparse.Namespace) -> int:
    """Run the app in a child process; restart it whenever a watched ``.py`` file changes."""
    module, attribute, directory = resolve_target(args.app)
    check_port_free(args.host, args.port)
    watched = args.reload_dir or [directory or "."]
    command = [sys.executable, "-m", "fastrapi", "_serve", args.app or f"{module}:{attribute}",
               "--host", args.host, "--port", str(args.port), "--graceful-timeout", "1",
               "--log-level", args.log_level, "--access-log" if args.access_log else "--no-access-log"]
    if args.root_path:
        command += ["--root-path", args.root_path]
    if args.log_config:
        command += ["--log-config", args.log_config]
    stopping = False

    def stop_supervisor(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_supervisor)
    signal.signal(signal.SIGINT, stop_supervisor)
    print(f"fastrapi dev: serving {module}:{attribute} on http://{args.host}:{args.port}, "
          f"reloading on changes in {', '.join(watched)}", file=sys.stderr, flush=True)
    stamps = snapshot(watched)
    # As `fastapi dev`: the app knows it runs for development (app.frontend's check_dir="auto" only warns).
    env = {**os.environ, "FASTAPI_ENV": "development"}
    child = subprocess.Popen(command, cwd=os.getcwd(), env=env)
    try:
        while not stopping:
            time.sleep(args.reload_delay)
            current = snapshot(watched)
            if current != stamps:
                changed = sorted(str(p) for p in set(current) ^ set(stamps) | {
                    p for p in current if p in stamps and current[p] != stamps[p]})
                print(f"fastrapi dev: {', '.join(changed[:3])} changed; restarting", file=sys.stderr, flush=True)
                stamps = current
                _stop_child(child)
                child = subprocess.Popen(command, cwd=os.getcwd(), env=env)
            elif child.poll() is not None and not stopping:
                # Crashed (say, a syntax error): wait for the next change, then start again.
                print(f"fastrapi dev: the app stopped (exit status {child.returncode}); waiting for a change to "
                      f"restart it (Ctrl+C to quit)", file=sys.stderr, flush=True)
                stamps = _wait_for_change(watched, stamps, args.reload_delay, lambda: stopping)
                if not stopping:
                    child = subprocess.Popen(command, cwd=os.getcwd(), env=env)
    finally:
        _stop_child(child)
    return 0


def _wait_for_change(watched: Sequence[str], stamps: dict[Path, float], delay: float,
                     stopped: Any) -> dict[Path, float]:
    while not stopped():
        time.sleep(delay)
        current = snapshot(watched)
        if current != stamps:
            return current
    return stamps


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- the command line ---------------------------------------------------------------------------


def add_logging_arguments(parser: argparse.ArgumentParser, access_log: bool = True) -> None:
    parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=access_log,
                        help=f"a line per request, in uvicorn's format (default: {'on' if access_log else 'off'})")
    parser.add_argument("--log-level", default="info", choices=LOG_LEVELS, type=str.lower,
                        help="the level of fastrapi's (and gunicorn's) loggers (default: info)")
    parser.add_argument("--log-config", default=None, metavar="FILE",
                        help="logging configuration: a dictConfig .json/.yaml file, or an ini file (fileConfig)")


def build_parser() -> argparse.ArgumentParser:
    from fastrapi import __version__

    parser = argparse.ArgumentParser(prog="fastrapi", description="Serve a FastrAPI (or any WSGI) app.")
    parser.add_argument("--version", action="version",
                        version=f"fastrapi {__version__} (Python {platform.python_version()})")
    commands = parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="production: gunicorn with gevent workers")
    run_parser.add_argument("app", nargs="?", help="module:attribute, module, or file.py[:attribute]")
    run_parser.add_argument("--host", default="0.0.0.0")
    run_parser.add_argument("--port", type=int, default=8000)
    run_parser.add_argument("--workers", "-w", type=int, default=None,
                            help="worker processes (default: $WEB_CONCURRENCY or 1)")
    run_parser.add_argument("--worker-class", "-k", default="pywsgi",
                            help="pywsgi (default: gevent's server, fastest), gevent, or a gunicorn worker class")
    run_parser.add_argument("--graceful-timeout", type=int, default=30,
                            help="seconds for requests and background tasks to finish on SIGTERM")
    run_parser.add_argument("--timeout", type=int, default=30, help="gunicorn's silent-worker timeout")
    run_parser.add_argument("--worker-connections", type=int, default=None, metavar="N",
                            help="connections one worker serves at once (gunicorn's default: 1000); raise it for "
                                 "many WebSockets or event streams")
    run_parser.add_argument("--keep-alive", type=int, default=5,
                            help="seconds an idle keep-alive connection is kept open")
    run_parser.add_argument("--header-timeout", type=float, default=None,
                            help="seconds a request's head may take to arrive (fastrapi's worker; default 10)")
    run_parser.add_argument("--forwarded-allow-ips", default=None,
                            help="proxies trusted for X-Forwarded-* (gunicorn's setting)")
    run_parser.add_argument("--root-path", default=None, help="the path prefix a proxy serves the app under")
    # Off in production, as gunicorn's own default: through gunicorn's logger a line costs about half the
    # throughput of a small endpoint (hello: 24k -> 12k req/s on one worker); proxies log requests anyway.
    add_logging_arguments(run_parser, access_log=False)
    run_parser.set_defaults(handler=run)

    dev_parser = commands.add_parser("dev", help="development: one process, restarted when code changes")
    dev_parser.add_argument("app", nargs="?", help="module:attribute, module, or file.py[:attribute]")
    dev_parser.add_argument("--host", default="127.0.0.1")
    dev_parser.add_argument("--port", type=int, default=8000)
    dev_parser.add_argument("--reload-dir", action="append", default=None,
                            help="directory to watch (repeatable; default: the app's)")
    dev_parser.add_argument("--reload-delay", type=float, default=0.5, help="seconds between checks")
    dev_parser.add_argument("--root-path", default=None, help="the path prefix a proxy serves the app under")
    add_logging_arguments(dev_parser)
    dev_parser.set_defaults(handler=dev)

    child_parser = commands.add_parser("_serve", help=argparse.SUPPRESS)
    child_parser.add_argument("app")
    child_parser.add_argument("--host", default="127.0.0.1")
    child_parser.add_argument("--port", type=int, default=8000)
    child_parser.add_argument("--graceful-timeout", type=float, default=1.0)
    child_parser.add_argument("--root-path", default=None)
    add_logging_arguments(child_parser)
    child_parser.set_defaults(handler=serve_child)

    from fastrapi.worker_cli import add_command as add_worker_command  # here: worker_cli imports this module

    add_worker_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``fastrapi`` and ``python -m fastrapi``."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CLIError as exc:
        print(f"fastrapi: error: {exc}", file=sys.stderr)
        return 2
    except AppLoadError as exc:
        print(f"fastrapi: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
