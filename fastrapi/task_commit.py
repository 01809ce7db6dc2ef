"""Durable tasks at response commit: in the app's queue before the first byte, or a 503 instead of the answer.

A client that got a 2xx can count on its durable tasks being in Redis, even if this process dies right after.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from fastrapi.background import INLINE_TASKS_KEY, BackgroundTask, BackgroundTasks, flatten
from fastrapi.concurrency import run_sync
from fastrapi.responses import JSONResponse, Response
from fastrapi.tasks import TaskQueueUnavailable, task_options
from fastrapi.types import APP_KEY

logger = logging.getLogger("fastrapi")

UNAVAILABLE = {"detail": "Task queue unavailable"}
_warned: set[str] = set()


def commit(environ: dict[str, Any], background: BackgroundTask) -> tuple[BackgroundTasks | None, Response | None]:
    """Enqueue the durable tasks among ``background``: ``(tasks left to run here, None)``, or ``(None, a 503
    response)`` when the queue could not take them (logged). Under TestClient they stay, to run inline."""
    tasks = flatten(background)
    durable = [task for task in tasks if task_options(task.func) is not None]
    if not durable:
        return (background if isinstance(background, BackgroundTasks) else BackgroundTasks(tasks)), None
    if environ.get(INLINE_TASKS_KEY) or environ.get("paste.testing"):
        # What a worker would get: the arguments through pickle (RQ's serializer), so a test meets the
        # unpicklable argument or the shared mutable one that a worker would.
        return BackgroundTasks([_as_a_worker_gets(task) if task in durable else task for task in tasks]), None
    queue = getattr(environ.get(APP_KEY), "task_queue", None)
    if queue is None:
        _warn_in_process(durable)
        return BackgroundTasks(tasks), None
    try:
        run_sync(queue.enqueue, durable)  # a pool thread on an unpatched server: the hub keeps serving
    except TaskQueueUnavailable as exc:
        logger.error("Task queue unavailable: %s not enqueued, answering 503 (%s)",
                     ", ".join(f"{task.name}({task.describe_arguments()})" for task in durable), exc)
        return None, JSONResponse(UNAVAILABLE, 503)
    rest = [task for task in tasks if task_options(task.func) is None]
    return (BackgroundTasks(rest) if rest else None), None


def _as_a_worker_gets(task: BackgroundTask) -> BackgroundTask:
    args, kwargs = pickle.loads(pickle.dumps((task.args, task.kwargs)))
    return BackgroundTask(task.func, *args, **kwargs)


def _warn_in_process(tasks: list[BackgroundTask]) -> None:
    for task in tasks:
        if task.name not in _warned:
            _warned.add(task.name)
            logger.warning("Durable task %s runs in this process: the app has no task_queue", task.name)
