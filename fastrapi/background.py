"""Background tasks: what a request collects, and the runner that executes them after the response."""

from __future__ import annotations

import _thread
import contextvars
import copy
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.event
import gevent.lock
import gevent.monkey
from gevent.hub import Hub, Waiter, get_hub

from fastrapi import tasks as durable
from fastrapi.concurrency import (
    in_gevent_greenlet,
    is_async_callable,
    needs_thread,
    reserve_threads,
    run_async,
    run_sync,
)

logger = logging.getLogger("fastrapi")

_ARG_REPR_LIMIT = 200
INLINE_TASKS_KEY = "fastrapi.inline_tasks"
_allocate_lock: Callable[[], _thread.LockType] = gevent.monkey.get_original("_thread", "allocate_lock")


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
        if durable.marked and durable.task_options(func) is not None:
            durable.check_importable(func)  # refused here, not in the worker
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
    if not isinstance(task, BackgroundTasks):
        return [task]
    found: list[BackgroundTask] = []
    for inner in task.tasks:
        if isinstance(inner, BackgroundTasks):
            found.extend(flatten(inner))
        else:
            found.append(inner)
    return found


ErrorHook = Callable[[BackgroundTask, BaseException], None]

DEFAULT_CONCURRENCY = 1000
# Threads blocking tasks may hold on an unpatched gevent server, per serving thread. FastAPI runs
# endpoints and tasks on one limiter of 40 threads; here tasks get 40 more, so they keep that
# throughput and the 40 threads ``def`` endpoints wait for stay free for requests.
DEFAULT_THREADS = 40
THREAD_WORKERS = 4
# Idle runner greenlets kept for the next requests; more than this exit.
PARKED_RUNNERS = 64


@dataclass(slots=True)
class BackgroundStats:
    """A snapshot of the runner's counters (tasks, not requests)."""

    queued: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    seconds_total: float = 0.0
    seconds_max: float = 0.0
    # The app's durable task queue (shared by all processes): jobs waiting to run, and failed jobs; None
    # without a task_queue, or when Redis did not answer.
    queue_depth: int | None = None
    queue_failed: int | None = None

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    def as_dict(self) -> dict[str, float]:
        return {name: value for name in self.__slots__ if (value := getattr(self, name)) is not None}

    def prometheus(self, prefix: str = "fastrapi_background_tasks") -> str:
        """The counters in Prometheus' text exposition format."""
        lines = [
            f"# TYPE {prefix}_queued gauge", f"{prefix}_queued {self.queued}",
            f"# TYPE {prefix}_running gauge", f"{prefix}_running {self.running}",
            f"# TYPE {prefix}_total counter",
            f'{prefix}_total{{outcome="succeeded"}} {self.succeeded}',
            f'{prefix}_total{{outcome="failed"}} {self.failed}',
            f"# TYPE {prefix}_seconds summary",
            f"{prefix}_seconds_sum {self.seconds_total}", f"{prefix}_seconds_count {self.finished}",
        ]
        if self.queue_depth is not None and self.queue_failed is not None:
            lines += [f"# TYPE {prefix}_durable_waiting gauge", f"{prefix}_durable_waiting {self.queue_depth}",
                      f"# TYPE {prefix}_durable_failed gauge", f"{prefix}_durable_failed {self.queue_failed}"]
        return "\n".join(lines) + "\n"


_Job = tuple[list[BackgroundTask], Callable[[], None] | None, contextvars.Context]


class _Lane:
    """One hub's part of a runner: its waiting lists, runner greenlets and the limit on its task threads.

    A gevent greenlet, Waiter, lock or thread pool belongs to the hub (the OS thread) that made it, so
    each hub that schedules tasks gets a lane of its own; only that hub's thread touches it.
    """

    __slots__ = ("hub", "backlog", "parked", "runners", "dispatching", "threads")

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.backlog: deque[_Job] = deque()  # lists waiting for a runner greenlet, in arrival order
        self.parked: list[Waiter[None]] = []  # idle runners
        self.runners = 0  # live runner greenlets
        self.dispatching = False  # a dispatch is due on the hub and will see new lists
        self.threads: gevent.lock.Semaphore | None = None  # made at the first blocking task


class BackgroundRunner:
    """Runs each request's tasks in one greenlet (or a worker thread outside gevent), in order.

    At most ``concurrency`` requests' tasks run at once per serving thread (one, unless
    ``serve()`` runs in several); the others wait their turn in arrival order. A task that
    raises is logged with its name, arguments and traceback, reported to the ``on_error`` hook,
    and the tasks after it still run.

    On an unpatched gevent server blocking tasks hold at most ``threads`` threads at once (per
    serving thread), and the thread pool has that many more than the ones ``def`` endpoints wait
    for: tasks cannot starve requests. ``DEFAULT_THREADS`` (40) gives tasks the 40 threads
    FastAPI's one limiter shares between endpoints and tasks.

    The greenlets are reused: one that finishes a request's tasks takes the next waiting
    request's, or parks until ``schedule`` wakes it. Creating a greenlet costs ~8 µs here,
    waking a parked one ~1 µs, on a hello that takes ~30 µs end to end on the embedded server.
    """

    def __init__(self, on_error: ErrorHook | None = None, concurrency: int = DEFAULT_CONCURRENCY,
                 threads: int = DEFAULT_THREADS) -> None:
        self.on_error = on_error
        self.concurrency = concurrency
        self.threads = threads
        # The task lists scheduled and not finished, by id; drain waits for it to empty.
        self._pending: dict[int, list[BackgroundTask]] = {}
        # An event per drain() waiting, each of its caller's hub (a gevent Event waited on in one
        # thread cannot be waited on in another); set from any thread when _pending empties.
        self._drainers: list[gevent.event.Event] = []
        self._lanes: dict[Hub, _Lane] = {}
        self._lane: _Lane | None = None  # the last lane used
        self._stats = BackgroundStats()
        # A real lock even when monkey-patched: it is never held across a switch.
        self._stats_lock = _allocate_lock()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def stats(self) -> BackgroundStats:
        """A copy of the counters: queued, running, succeeded, failed, and time spent in tasks."""
        with self._stats_lock:
            return copy.copy(self._stats)

    def _count_queued(self, count: int) -> None:
        with self._stats_lock:
            self._stats.queued += count

    def run_now(self, tasks: list[BackgroundTask]) -> None:
        """Run ``tasks`` here, one after the other, isolating their failures."""
        stats, lock, clock = self._stats, self._stats_lock, time.perf_counter
        for index, task in enumerate(tasks):
            with lock:
                stats.queued -= 1
                stats.running += 1
            started = clock()
            try:
                task.run()
            except Exception as exc:
                self._count_failed(clock() - started)
                self._report(task, exc)
            except BaseException:
                # Killed (e.g. at the end of a drain): the rest of the list never starts.
                self._count_failed(clock() - started, dropped=len(tasks) - index - 1)
                raise
            else:
                elapsed = clock() - started
                with lock:
                    stats.running -= 1
                    stats.succeeded += 1
                    stats.seconds_total += elapsed
                    if elapsed > stats.seconds_max:
                        stats.seconds_max = elapsed

    def _count_failed(self, elapsed: float, dropped: int = 0) -> None:
        """A task ended with an exception; ``dropped`` tasks after it will never start."""
        stats = self._stats
        with self._stats_lock:
            stats.running -= 1
            stats.queued -= dropped
            stats.failed += 1
            stats.seconds_total += elapsed
            if elapsed > stats.seconds_max:
                stats.seconds_max = elapsed

    def _report(self, task: BackgroundTask, exc: Exception) -> None:
        logger.error("Background task %s(%s) failed", task.name, task.describe_arguments(), exc_info=exc)
        if self.on_error is not None:
            try:
                self.on_error(task, exc)
            except Exception:
                logger.exception("on_background_error hook failed for %s", task.name)

    def finish(self, environ: dict[str, Any], tasks: list[BackgroundTask],
               cleanup: Callable[[], None] | None = None, context: contextvars.Context | None = None) -> None:
        """End a request: run its tasks after the response, then ``cleanup``, in ``context``.

        Called from the body's ``close()``, so it only hands over; under TestClient or WebTest the
        tasks run inline and have finished when the call returns. ``context`` is a copy of the
        request's context variables, taken when the response was made (default: the current ones).
        """
        if not tasks:
            if cleanup is not None:
                cleanup()
            return
        if context is None:
            context = contextvars.copy_context()
        if environ.get(INLINE_TASKS_KEY) or environ.get("paste.testing"):
            self._count_queued(len(tasks))
            context.run(self._run_then, self.run_now, tasks, cleanup)
        else:
            self.schedule(tasks, cleanup, context)

    @staticmethod
    def _run_then(run: Callable[[list[BackgroundTask]], None], tasks: list[BackgroundTask],
                  then: Callable[[], None] | None) -> None:
        try:
            run(tasks)
        finally:
            if then is not None:
                then()

    def schedule(self, tasks: list[BackgroundTask], then: Callable[[], None] | None = None,
                 context: contextvars.Context | None = None) -> None:
        """Run ``tasks`` after this call returns, in order, then ``then()`` (cleanup), in ``context``."""
        self._count_queued(len(tasks))
        self._pending[id(tasks)] = tasks
        if context is None:
            context = contextvars.copy_context()
        if in_gevent_greenlet():
            hub = get_hub()
            lane = self._lane
            if lane is None or lane.hub is not hub:  # PERF: one identity check while one thread serves
                lane = self._lane_of(hub)
            lane.backlog.append((tasks, then, context))
            if not lane.dispatching:  # else a dispatch is due on this loop and will see the list
                lane.dispatching = True
                hub.loop.run_callback(self._dispatch, lane)
        else:
            # A greenlet spawned from a plain thread (wsgiref, waitress) never runs: use a worker thread.
            self._thread_executor().submit(self._job, tasks, then, context)

    def _lane_of(self, hub: Hub) -> _Lane:
        lane = self._lanes.get(hub)
        if lane is None:
            # A new serving thread: forget the lanes of threads that have ended (their hubs are dead,
            # and their pools' idle threads end on their own), so serving thread after thread keeps none.
            for old in [old for old in list(self._lanes) if old.dead]:  # list(): other threads add lanes
                self._lanes.pop(old, None)
            lane = self._lanes.setdefault(hub, _Lane(hub))
        self._lane = lane
        return lane

    def _dispatch(self, lane: _Lane) -> None:
        """In the lane's hub: give every waiting list a runner, parked or new, up to the cap.

        PERF: one hub callback serves all the lists that requests finished in one loop iteration.
        """
        lane.dispatching = False
        backlog, parked = lane.backlog, lane.parked
        spawned = 0
        while len(backlog) > spawned:
            if parked:
                parked.pop().switch(None)  # runs until it parks again or blocks, then comes back here
            elif lane.runners < self.concurrency:
                lane.runners += 1
                gevent.spawn(self._run_backlog, lane)
                spawned += 1
            else:
                return  # the cap: the lists wait in the backlog for the next free runner

    def _run_backlog(self, lane: _Lane) -> None:
        """A runner greenlet: take waiting lists in order; park when there are none."""
        backlog, parked = lane.backlog, lane.parked
        waiter: Waiter[None] | None = None
        try:
            while True:
                while backlog:
                    tasks, then, context = backlog.popleft()
                    context.run(self._run_job, lane, tasks, then)
                if len(parked) >= PARKED_RUNNERS:
                    return
                waiter = Waiter(lane.hub)
                parked.append(waiter)
                waiter.get()
                waiter = None
        finally:
            lane.runners -= 1
            if waiter is not None and waiter in parked:  # killed while parked
                parked.remove(waiter)

    def _job(self, tasks: list[BackgroundTask], then: Callable[[], None] | None,
             context: contextvars.Context) -> None:
        context.run(self._run_job, None, tasks, then)

    def _run_job(self, lane: _Lane | None, tasks: list[BackgroundTask], then: Callable[[], None] | None) -> None:
        """One request's list, then its cleanup; the list leaves ``_pending`` when both are done."""
        try:
            try:
                if lane is not None and needs_thread():
                    limit = lane.threads
                    if limit is None:
                        limit = lane.threads = reserve_threads(self.threads)
                    with limit:
                        # PERF: the whole list makes one trip to a pool thread, not one per task.
                        run_sync(self.run_now, tasks)
                else:
                    self.run_now(tasks)
            finally:
                if then is not None:
                    then()
        finally:
            del self._pending[id(tasks)]
            if not self._pending:
                for done in list(self._drainers):
                    done.set()

    def _thread_executor(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                workers = min(self.concurrency, THREAD_WORKERS)
                self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fastrapi-bg")
            return self._executor

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for running and queued tasks; True when all finished within ``timeout``.

        Whatever is still unfinished at the deadline is logged by name.
        """
        finished = True
        # A finite wait keeps a timer on the hub, which must not exit while worker threads finish.
        wait = timeout if timeout is not None else 365 * 24 * 3600.0
        done = gevent.event.Event()
        self._drainers.append(done)  # before looking at _pending: a list may finish in another thread
        try:
            if self._pending and not done.wait(wait) and self._pending:
                finished = False
                names = "; ".join(", ".join(task.name for task in tasks) for tasks in list(self._pending.values()))
                logger.warning("Background tasks unfinished at the shutdown deadline: %s", names)
        finally:
            self._drainers.remove(done)
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
