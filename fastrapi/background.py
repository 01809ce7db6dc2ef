"""Background tasks: what a request collects, and the runner that executes them after the response."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import gevent
import gevent.pool

from fastrapi.concurrency import in_gevent_greenlet, is_async_callable, run_async, run_sync

logger = logging.getLogger("fastrapi")

_ARG_REPR_LIMIT = 200
INLINE_TASKS_KEY = "fastrapi.inline_tasks"


class BackgroundTask:
    """One call to make after the response: ``BackgroundTask(func, *args, **kwargs)``."""

    __slots__ = ("func", "args", "kwargs", "is_async")

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.is_async = is_async_callable(func)

    @property
    def name(self) -> str:
        return getattr(self.func, "__qualname__", None) or repr(self.func)

    def describe_arguments(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        text = ", ".join(parts)
        return text if len(text) <= _ARG_REPR_LIMIT else text[: _ARG_REPR_LIMIT - 3] + "..."

    def run(self) -> None:
        if self.is_async:
            run_async(self.func, self.args, self.kwargs)
        else:
            run_sync(self.func, *self.args, **self.kwargs)

    def __call__(self) -> None:
        self.run()


class BackgroundTasks(BackgroundTask):
    """The request's list of tasks; ``add_task(func, *args, **kwargs)`` appends one."""

    __slots__ = ("tasks",)

    def __init__(self, tasks: Sequence[BackgroundTask] | None = None) -> None:
        self.tasks: list[BackgroundTask] = list(tasks or ())

    def add_task(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    @property
    def name(self) -> str:
        return "BackgroundTasks"

    def run(self) -> None:
        for task in self.tasks:
            task.run()

    def __len__(self) -> int:
        return len(self.tasks)


def flatten(task: BackgroundTask) -> list[BackgroundTask]:
    """The single tasks inside ``task``, in order."""
    if isinstance(task, BackgroundTasks):
        return [t for inner in task.tasks for t in flatten(inner)]
    return [task]


ErrorHook = Callable[[BackgroundTask, BaseException], None]


class BackgroundRunner:
    """Runs each request's tasks in one greenlet (or a worker thread outside gevent), in order.

    A task that raises is logged with its name, arguments and traceback, reported to the
    ``on_error`` hook, and the tasks after it still run.
    """

    def __init__(self, on_error: ErrorHook | None = None) -> None:
        self.on_error = on_error
        self.group = gevent.pool.Group()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def run_now(self, tasks: list[BackgroundTask]) -> None:
        """Run ``tasks`` here, one after the other, isolating their failures."""
        for task in tasks:
            try:
                task.run()
            except Exception as exc:
                logger.error(
                    "Background task %s(%s) failed",
                    task.name,
                    task.describe_arguments(),
                    exc_info=exc,
                )
                if self.on_error is not None:
                    try:
                        self.on_error(task, exc)
                    except Exception:
                        logger.exception("on_background_error hook failed for %s", task.name)

    def finish(self, environ: dict[str, Any], tasks: list[BackgroundTask],
               cleanup: Callable[[], None] | None = None) -> None:
        """End a request: run its tasks after the response, then ``cleanup``.

        Called from the body's ``close()``, so it only spawns; under TestClient or WebTest the
        tasks run inline and have finished when the call returns.
        """
        if not tasks:
            if cleanup is not None:
                cleanup()
        elif environ.get(INLINE_TASKS_KEY) or environ.get("paste.testing"):
            try:
                self.run_now(tasks)
            finally:
                if cleanup is not None:
                    cleanup()
        else:
            self.schedule(tasks, cleanup)

    def schedule(self, tasks: list[BackgroundTask], then: Callable[[], None] | None = None) -> None:
        """Run ``tasks`` after this call returns, then ``then()`` (cleanup)."""

        def job() -> None:
            try:
                self.run_now(tasks)
            finally:
                if then is not None:
                    then()

        if in_gevent_greenlet():
            greenlet = self.group.spawn(job)
            greenlet.name = ", ".join(task.name for task in tasks)
        else:
            # PERF: a greenlet spawned from a plain thread never runs; use a worker thread there.
            self._thread_executor().submit(job)

    def _thread_executor(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fastrapi-bg")
            return self._executor

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for scheduled tasks; True when all finished within ``timeout``."""
        finished = True
        if len(self.group):
            finished = self.group.join(timeout=timeout) is not False and not len(self.group)
            if not finished:
                names = "; ".join(g.name for g in self.group)
                logger.warning("Background tasks still running at shutdown: %s", names)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        return finished


_default_runner: BackgroundRunner | None = None


def default_runner() -> BackgroundRunner:
    """The runner for responses served outside a FastrAPI app."""
    global _default_runner
    if _default_runner is None:
        _default_runner = BackgroundRunner()
    return _default_runner


def runner_for(environ: dict[str, Any]) -> BackgroundRunner:
    """The runner of the app serving this request, or the process default."""
    app = environ.get("fastrapi.app")
    return app.background_runner if app is not None else default_runner()
