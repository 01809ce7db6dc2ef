"""``fastrapi.gunicorn_worker.Worker``: a gunicorn gevent worker that serves with fastrapi's strict HTTP/1.1 server.

The worker is gunicorn's gevent worker (monkey-patching, heartbeats, graceful stop) with its connections
handled by ``fastrapi.server.Server``: requests parsed by httptools, a header-read timeout, keep-alive
connections that yield to each other, one send per small response. On SIGTERM, connections waiting for
their next request are closed at once; requests in flight finish and their background tasks drain.

``keepalive`` (``--keep-alive``) is the idle keep-alive timeout, gunicorn's ``timeout`` bounds each read of a
request body, and ``FASTRAPI_HEADER_TIMEOUT`` (``fastrapi run --header-timeout``) the wait for a whole head.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any, cast

from gunicorn.workers.ggevent import GeventResponse, GeventWorker

from fastrapi.server import DEFAULT_HEADER_TIMEOUT, Server

HEADER_TIMEOUT_ENV = "FASTRAPI_HEADER_TIMEOUT"


class WorkerServer(Server):
    """``Server`` built the way gunicorn's gevent worker builds its servers, logging through gunicorn."""

    def __init__(self, listener: Any, application: Any, *, worker: GeventWorker, spawn: Any, log: Any,
                 environ: dict[str, Any], handler_class: Any = None, **ssl_args: Any) -> None:
        cfg = worker.cfg
        super().__init__(
            listener, application, spawn=spawn, environ=environ, access_log=cfg.accesslog is not None,
            keep_alive_timeout=float(cfg.keepalive),
            header_timeout=float(os.environ.get(HEADER_TIMEOUT_ENV) or DEFAULT_HEADER_TIMEOUT),
            body_timeout=float(cfg.timeout) if cfg.timeout else 30.0,
            forwarded_allow_ips=cfg.forwarded_allow_ips, **ssl_args,
        )
        self.log = log

    def log_access(self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]], length: int,
                   started: float) -> None:
        request_headers = [(key[5:].replace("_", "-"), value) for key, value in environ.items()
                           if key.startswith("HTTP_")]
        # gunicorn's atoms read any (name, value) iterable; its stubs say dict.
        response = GeventResponse(status, cast(dict[str, str], headers), length)
        self.log.access(response, request_headers, environ,
                        timedelta(seconds=time.time() - started))


class Worker(GeventWorker):
    """``gunicorn -k fastrapi.gunicorn_worker.Worker``; what ``fastrapi run`` uses by default."""

    def run(self) -> None:
        worker = self

        def server_class(*args: Any, **kwargs: Any) -> WorkerServer:
            return WorkerServer(*args, worker=worker, **kwargs)

        # gunicorn calls server_class(...) as a factory; a function serves (its stubs want a class here).
        setattr(self, "server_class", server_class)  # noqa: B010
        super().run()
