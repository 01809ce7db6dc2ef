"""``fastrapi worker main:app [-w N]``: RQ workers for the app's task queue.

Each worker process imports the app (its tasks, settings and lifespan exist there), runs its startup once,
takes jobs until SIGTERM or SIGINT (then finishes the job in hand: RQ's warm shutdown), and runs its shutdown.
Jobs run in the worker process itself (RQ's ``SimpleWorker``), so what startup made is what tasks use. With
``-w N`` RQ's ``WorkerPool`` keeps N such processes, starting a new one when one dies.
"""

from __future__ import annotations

import argparse
import logging
import sys
from types import TracebackType
from typing import Any

from fastrapi.app_target import CLIError, import_app, resolve_target

logger = logging.getLogger("fastrapi")


def add_command(commands: Any) -> None:
    """Register ``worker`` on ``fastrapi``'s subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser("worker", help="run RQ workers for the app's task queue")
    parser.add_argument("app", nargs="?", help="module:attribute, module, or file.py[:attribute]")
    parser.add_argument("--workers", "-w", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    parser.add_argument("--maintenance-interval", type=int, default=600,
                        help="seconds between RQ's registry cleanups, which requeue jobs of dead workers")
    parser.add_argument("--abandoned-after", type=int, default=60,
                        help="seconds past a job's timeout after which a job whose worker died counts as abandoned")
    parser.add_argument("--log-level", default="INFO")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rq.worker_pool import WorkerPool

    from fastrapi.task_queue import TaskQueue

    if not logging.getLogger().handlers:
        logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    module, attribute, directory = resolve_target(args.app)
    app = import_app(module, attribute, directory)
    queue = getattr(app, "task_queue", None)
    if not isinstance(queue, TaskQueue):
        raise CLIError(f"{module}:{attribute} has no RQ task_queue (FastrAPI(task_queue='redis://...'))")
    worker_class = worker_class_for(app, args.maintenance_interval, args.abandoned_after)
    print(f"fastrapi worker: {module}:{attribute}, queue {queue.queue.name!r}, {args.workers} process(es)",
          file=sys.stderr, flush=True)
    if args.workers == 1:
        worker = worker_class([queue.queue], connection=queue.queue.connection)
        worker.work(burst=args.burst, with_scheduler=True, logging_level=args.log_level.upper())
        return 0
    pool = WorkerPool([queue.queue], connection=queue.queue.connection, num_workers=args.workers,
                      worker_class=worker_class)
    pool.start(burst=args.burst, logging_level=args.log_level.upper())
    return 0


def worker_class_for(app: Any, maintenance_interval: int = 600, abandoned_after: int = 60) -> type[Any]:
    """An RQ ``SimpleWorker`` class serving ``app``: its lifespan around the work loop, its error hook on
    failures. ``abandoned_after`` replaces RQ's 60 s margin past a job's timeout (see ``--abandoned-after``)."""
    from rq.defaults import DEFAULT_WORKER_TTL
    from rq.job import Job
    from rq.worker import SimpleWorker

    from fastrapi.background import BackgroundTask

    class AppWorker(SimpleWorker):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("maintenance_interval", maintenance_interval)
            # An idle worker waits on Redis for at most worker_ttl - 15 s between its maintenance checks.
            kwargs.setdefault("worker_ttl", max(16, min(DEFAULT_WORKER_TTL, maintenance_interval + 15)))
            super().__init__(*args, **kwargs)
            self.push_exc_handler(self.report_failure)  # type: ignore[no-untyped-call]

        def work(self, *args: Any, **kwargs: Any) -> bool:
            app.startup()
            try:
                return bool(super().work(*args, **kwargs))
            finally:
                app.shutdown()

        def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
            if job.timeout == -1:
                return DEFAULT_WORKER_TTL
            return int(job.timeout or DEFAULT_WORKER_TTL) + abandoned_after

        def report_failure(self, job: Job, exc_type: type[BaseException] | None, exc: BaseException | None,
                           tb: TracebackType | None) -> bool:
            """Log a failed attempt as the in-process runner does; call the app's hook once it has failed for good."""
            try:
                task = BackgroundTask(job.func, *job.args, **job.kwargs)
            except Exception:  # the job cannot even be loaded: RQ's own log says why
                return True
            retries_left = job.retries_left or 0
            note = f"; {retries_left} retries left" if retries_left else ""
            error = exc if exc is not None else RuntimeError("the task failed")
            logger.error("Background task %s(%s) failed%s", task.name, task.describe_arguments(), note,
                         exc_info=(type(error), error, tb))
            hook = app.background_runner.on_error
            if hook is not None and not retries_left:
                try:
                    hook(task, error)
                except Exception:
                    logger.exception("on_background_error hook failed for %s", task.name)
            return True

    return AppWorker
