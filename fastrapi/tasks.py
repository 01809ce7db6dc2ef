"""Durable background tasks: functions marked with ``@task`` (or ``@app.task``) go to the app's RQ queue.

``background_tasks.add_task(func, ...)`` with a marked ``func`` enqueues the call in Redis when the response
is committed, instead of running it in this process; ``fastrapi worker main:app`` runs it. Marking leaves the
function as it was: calling it directly still calls it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS_ATTRIBUTE = "__fastrapi_task__"
# Set by the first @task: until then no response needs to look for durable tasks.
marked = False


class TaskQueueUnavailable(Exception):
    """The task queue could not take a request's tasks (Redis unreachable, read-only, out of memory...)."""


class TaskNotImportable(TypeError):
    """The function cannot be found by a worker from its module and qualified name."""


@dataclass(frozen=True, slots=True)
class TaskOptions:
    """How a durable task is enqueued: RQ's ``Retry(max=retries, interval=retry_interval)`` and job timeout."""

    retries: int = 0
    retry_interval: int | Sequence[int] = 0
    timeout: int | None = None  # seconds; None: the queue's default (RQ: 180)


@overload
def task(func: F, /) -> F: ...
@overload
def task(*, retries: int = 0, retry_interval: int | Sequence[int] = 0,
         timeout: int | None = None) -> Callable[[F], F]: ...


def task(func: F | None = None, /, *, retries: int = 0, retry_interval: int | Sequence[int] = 0,
         timeout: int | None = None) -> F | Callable[[F], F]:
    """Mark ``func`` durable: ``add_task(func, ...)`` hands the call to the serving app's task queue.

    ``retries`` failed attempts are run again, after ``retry_interval`` seconds (one number, or one per
    retry). A worker that dies mid-task counts as a failed attempt. Refuses functions a worker could not
    import by name (lambdas, closures, functions of ``__main__``).
    """
    if retries < 0:
        raise ValueError("retries must be 0 or more")
    options = TaskOptions(retries, retry_interval if isinstance(retry_interval, int) else tuple(retry_interval),
                          timeout)

    def mark(function: F) -> F:
        global marked
        check_importable(function, bound=False)
        marked = True
        setattr(function, OPTIONS_ATTRIBUTE, options)
        return function

    return mark if func is None else mark(func)


def task_options(func: Callable[..., Any]) -> TaskOptions | None:
    """The options ``func`` was marked with, or None for an ordinary (in-process) task."""
    options = getattr(func, OPTIONS_ATTRIBUTE, None)
    return options if isinstance(options, TaskOptions) else None


def check_importable(func: Callable[..., Any], bound: bool = True) -> None:
    """Raise ``TaskNotImportable`` unless a worker can import ``func`` as ``module.qualname``.

    With ``bound`` (at ``add_task`` time, once the module has run) the name must also lead back to ``func``
    itself: a function wrapped by a later decorator, or replaced, would run something else in the worker.
    """
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    what = repr(func)
    if not isinstance(module, str) or not isinstance(qualname, str) or getattr(func, "__self__", None) is not None:
        raise TaskNotImportable(f"{what} cannot be a durable task: only module-level functions can be imported "
                                "by a worker (not methods, partials or other callables)")
    if "<" in qualname:  # <lambda>, <locals>
        raise TaskNotImportable(f"{what} cannot be a durable task: a worker imports tasks by name, and "
                                f"{module}.{qualname} is not reachable from its module; define it at module level")
    if module == "__main__":
        raise TaskNotImportable(f"{what} cannot be a durable task: it is defined in the script being run "
                                "(__main__), which a worker does not import; move it to a module")
    if bound:
        found: Any = sys.modules.get(module)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if found is not func:
            raise TaskNotImportable(f"{what} cannot be a durable task: {module}.{qualname} is not this function "
                                    "(was it wrapped or replaced after @task?)")
