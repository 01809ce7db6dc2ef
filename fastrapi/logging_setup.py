"""Logging that works with no configuration: fastrapi's loggers print to stderr unless the application set up its own.

``app.serve()``, ``fastrapi run`` and ``fastrapi dev`` call :func:`configure_logging` once the application is
imported. When neither the root logger nor the ``fastrapi`` logger has a handler, a stderr handler is added to
``fastrapi`` with uvicorn's look (``INFO:     message``); a root logger the application configured is never
touched. ``log_config`` (a dict for :func:`logging.config.dictConfig`, or a ``.json``/``.yaml``/``.ini`` file)
replaces all of that, as uvicorn's ``--log-config`` does.
"""

from __future__ import annotations

import importlib
import json
import logging
import logging.config
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

LOGGER = "fastrapi"
ACCESS_LOGGER = "fastrapi.access"
LEVELS = {"critical": logging.CRITICAL, "error": logging.ERROR, "warning": logging.WARNING,
          "info": logging.INFO, "debug": logging.DEBUG, "trace": logging.DEBUG}

LogConfig = dict[str, Any] | str | Path


class LevelPrefixFormatter(logging.Formatter):
    """``INFO:     message``: the level name and a colon, padded to uvicorn's width."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"{record.levelname}:".ljust(9)
        return f"{prefix} {super().format(record)}"


class _WhileRootUnconfigured(logging.Filter):
    """Our default handler steps aside once the application gives the root logger a handler (say, in startup),
    so records are not printed twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not logging.root.handlers


class DefaultHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler fastrapi installs when nothing else is configured; writes to the current ``sys.stderr``."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(LevelPrefixFormatter("%(message)s"))
        self.addFilter(_WhileRootUnconfigured())

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it; the live sys.stderr wins
        pass


def parse_level(level: str | int | None) -> int | None:
    """``"info"``/``"INFO"``/``20`` as a logging level; ``None`` stays ``None``."""
    if level is None or isinstance(level, int):
        return level
    try:
        return LEVELS[level.lower()]
    except KeyError:
        raise ValueError(f"Unknown log level {level!r}; use one of {', '.join(LEVELS)}") from None


def read_config(log_config: LogConfig) -> dict[str, Any] | Path:
    """A dictConfig dict from a dict or a ``.json`` / ``.yaml`` (PyYAML) file; the path of an ini-style file."""
    if isinstance(log_config, dict):
        return log_config
    path = Path(log_config)
    if path.suffix == ".json":
        loaded = json.loads(path.read_text())
    elif path.suffix in (".yaml", ".yml"):
        yaml = importlib.import_module("yaml")  # PyYAML: optional, as in uvicorn (and without stubs here)
        loaded = yaml.safe_load(path.read_text())
    else:
        return path
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} holds no logging configuration (a mapping for dictConfig)")
    return loaded


def load_config(log_config: LogConfig) -> None:
    """Apply a dictConfig dict, or a ``.json`` / ``.yaml`` / ini-style (``fileConfig``) file."""
    config = read_config(log_config)
    if isinstance(config, dict):
        logging.config.dictConfig(config)
    else:
        logging.config.fileConfig(config, disable_existing_loggers=False)


def application_configured_logging() -> bool:
    """The root logger or ``fastrapi``'s has a handler that fastrapi did not add."""
    ours = logging.getLogger(LOGGER)
    return bool(logging.root.handlers) or any(not isinstance(h, DefaultHandler) for h in ours.handlers)


def configure_logging(log_level: str | int | None = None, log_config: LogConfig | None = None) -> bool:
    """Make fastrapi's lines visible: ``log_config`` if given; else a default handler when none is configured.

    ``log_level`` sets the ``fastrapi`` logger's level (also after ``log_config``); without it the default
    handler's setup uses INFO, and a configured application keeps the levels it chose. True unless the
    application had configured logging itself (the servers' access-log default).
    """
    configured_by_app = log_config is None and application_configured_logging()
    level = parse_level(log_level)
    logger = logging.getLogger(LOGGER)
    if log_config is not None:
        load_config(log_config)
    elif not configured_by_app:
        if not logger.handlers:
            logger.addHandler(DefaultHandler())
        if level is None and logger.level == logging.NOTSET:
            level = logging.INFO
    if level is not None:
        logger.setLevel(level)
    return not configured_by_app


def access_line(environ: dict[str, Any], status: str) -> str:
    """uvicorn's access line: ``127.0.0.1:54321 - "GET /path?q=1 HTTP/1.1" 200 OK``."""
    client = environ.get("REMOTE_ADDR") or "-"
    port = environ.get("REMOTE_PORT")
    if port:
        client = f"{client}:{port}"
    code, _, reason = status.partition(" ")
    if not reason and code.isdigit():
        try:
            reason = HTTPStatus(int(code)).phrase
        except ValueError:
            reason = ""
    return (f'{client} - "{environ.get("REQUEST_METHOD", "-")} {environ.get("RAW_URI", "-")} '
            f'{environ.get("SERVER_PROTOCOL", "HTTP/1.1")}" {code} {reason}').rstrip()


class AccessLines:
    """PERF: access lines that would reach only fastrapi's default handler go to stderr together, once per
    turn of the event loop: one write for all the requests answered in it, not a ``logging`` call each
    (about 8 µs a line). Anything configured (a handler, a filter, a level) takes the ``logging`` path."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.scheduled = False
        self.logger = logging.getLogger(ACCESS_LOGGER)
        self.parent = logging.getLogger(LOGGER)

    def only_default_handler(self) -> bool:
        logger, parent = self.logger, self.parent
        return (not logger.handlers and not logger.filters and logger.propagate and not logging.root.handlers
                and len(parent.handlers) == 1 and type(parent.handlers[0]) is DefaultHandler
                and not parent.filters and logger.isEnabledFor(logging.INFO))

    def write(self, environ: dict[str, Any], status: str) -> None:
        """One request's line: buffered when only the default handler would print it, else logged."""
        if not self.only_default_handler():
            if self.logger.isEnabledFor(logging.INFO):
                self.logger.info(access_line(environ, status))
            return
        self.pending.append(f"INFO:     {access_line(environ, status)}\n")
        if not self.scheduled:
            self.scheduled = True
            import gevent  # the servers that write access lines are gevent's

            gevent.get_hub().loop.run_callback(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        lines, self.pending = self.pending, []
        if lines:
            try:
                sys.stderr.write("".join(lines))
                sys.stderr.flush()
            except (OSError, ValueError):  # stderr closed or gone: the lines are lost, never the requests
                pass
