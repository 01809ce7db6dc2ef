"""gunicorn hooks for a FastrAPI app: startup in each worker before it serves, shutdown on exit.

``fastrapi run`` sets them itself; with plain gunicorn use ``-c python:fastrapi.gunicorn_conf``.
Without them the app still starts on its first request and shuts down at exit (``atexit``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gevent

from fastrapi.logging_setup import configure_logging

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

logger = logging.getLogger("fastrapi.server")

# ``fastrapi run --log-level`` and ``--log-config``, applied in each worker.
LOG_LEVEL_ENV = "FASTRAPI_LOG_LEVEL"
LOG_CONFIG_ENV = "FASTRAPI_LOG_CONFIG"

# Leave gunicorn this much of graceful_timeout after the tasks' drain, to shut down and exit.
SHUTDOWN_MARGIN = 2.0


def _in_greenlet(func: Callable[[], Any]) -> None:
    # Hooks run in the worker's main greenlet; async lifespans wait on the asyncio bridge, which
    # wakes a gevent greenlet (not a bare thread) without blocking the hub.
    gevent.spawn(func).get()


def post_worker_init(worker: Worker) -> None:
    """Give fastrapi's loggers a handler unless the app configured logging; run its startup in this worker."""
    configure_logging(os.environ.get(LOG_LEVEL_ENV) or None, os.environ.get(LOG_CONFIG_ENV) or None)
    app: Any = worker.wsgi  # any WSGI app: the hooks use what a FastrAPI app has, when it has it
    if hasattr(app, "drain_timeout"):
        app.drain_timeout = max(0.0, min(app.drain_timeout, worker.cfg.graceful_timeout - SHUTDOWN_MARGIN))
    startup = getattr(app, "startup", None)
    if startup is not None:
        _in_greenlet(startup)


def child_exit(server: Arbiter, worker: Worker) -> None:
    """In the master, after a worker died: its live metrics (in flight, tasks now) leave the sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from fastrapi.metrics import mark_process_dead

        mark_process_dead(int(worker.pid))


def worker_exit(server: Arbiter, worker: Worker) -> None:
    """Let background tasks finish (within the drain timeout), then run the app's shutdown."""
    app: Any = getattr(worker, "wsgi", None)
    drain, shutdown = getattr(app, "drain", None), getattr(app, "shutdown", None)
    stats = getattr(app, "background_stats", None)
    if stats is not None:
        snapshot = stats()
        tasks = snapshot.queued + snapshot.running
        logger.info("Worker %d stopping: waiting up to %.0fs for %d background task%s", os.getpid(),
                    app.drain_timeout, tasks, "" if tasks == 1 else "s")
    if drain is not None:
        _in_greenlet(lambda: drain(app.drain_timeout))
    if shutdown is not None:
        _in_greenlet(shutdown)
    logger.info("Worker %d finished", os.getpid())
