"""The app's durable task queue on RQ: a request's tasks go to Redis in one transaction, chained in order.

RQ stores the jobs, runs them (``fastrapi worker``), retries them and keeps its registries; this module only
turns a request's ``BackgroundTask`` list into RQ jobs and counts what waits and what failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import redis
from rq import Queue, Retry
from rq.job import Dependency, Job, JobStatus

from fastrapi.background import BackgroundTask
from fastrapi.tasks import TaskOptions, TaskQueueUnavailable, check_importable, task_options

# RQ's default queue, so a plain ``rq worker`` (or rq-dashboard) sees the same jobs.
DEFAULT_QUEUE_NAME = "default"
# A web request waits at most this long for Redis before answering 503.
SOCKET_TIMEOUT = 5.0


class TaskBackend(Protocol):
    """What ``FastrAPI(task_queue=...)`` needs of a queue: take a request's durable tasks, and count them."""

    def enqueue(self, tasks: Sequence[BackgroundTask]) -> None: ...
    def counts(self) -> tuple[int, int]: ...  # (waiting to run, failed)


class TaskQueue:
    """An RQ ``Queue`` as the app's task queue."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    @classmethod
    def from_url(cls, url: str, name: str = DEFAULT_QUEUE_NAME) -> TaskQueue:
        connection = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
        return cls(Queue(name, connection=connection))

    def enqueue(self, tasks: Sequence[BackgroundTask]) -> None:
        """One round trip, all or nothing (MULTI/EXEC): the first task queued, each next one deferred on the
        one before it (RQ ``depends_on``, ``allow_failure``: a failure does not hold back the next)."""
        queue = self.queue
        try:
            with queue.connection.pipeline() as pipe:
                previous: Job | None = None
                for task in tasks:
                    previous = self._add(pipe, task, previous)
                pipe.execute()
        except redis.RedisError as exc:
            raise TaskQueueUnavailable(str(exc)) from exc

    def _add(self, pipe: Any, task: BackgroundTask, previous: Job | None) -> Job:
        queue = self.queue
        check_importable(task.func)
        options = task_options(task.func) or TaskOptions()
        retry = Retry(max=options.retries, interval=options.retry_interval) if options.retries else None
        if previous is None:
            job = queue.create_job(task.func, args=task.args, kwargs=task.kwargs, timeout=options.timeout,
                                   retry=retry)
            queue.enqueue_job(job, pipeline=pipe)
            return job
        job = queue.create_job(task.func, args=task.args, kwargs=task.kwargs, timeout=options.timeout, retry=retry,
                               depends_on=Dependency(jobs=[previous], allow_failure=True), status=JobStatus.DEFERRED)
        # What Queue.enqueue_many does for a job whose dependency is unfinished, inside our transaction:
        # the dependency is saved in the same MULTI, so it cannot finish before this job is registered on it.
        job.redis_server_version = queue.get_redis_server_version()  # cached; else each save asks Redis
        job.save(pipeline=pipe)
        job.register_dependency(pipeline=pipe)
        job.cleanup(ttl=job.ttl, pipeline=pipe)
        return job

    def counts(self) -> tuple[int, int]:
        """(jobs waiting: queued, deferred behind an earlier task, or scheduled for a retry; failed jobs)."""
        queue = self.queue
        try:
            with queue.connection.pipeline(transaction=False) as pipe:
                pipe.llen(queue.key)
                pipe.zcard(queue.deferred_job_registry.key)
                pipe.zcard(queue.scheduled_job_registry.key)
                pipe.zcard(queue.failed_job_registry.key)
                queued, deferred, scheduled, failed = pipe.execute()
        except redis.RedisError as exc:
            raise TaskQueueUnavailable(str(exc)) from exc
        return int(queued) + int(deferred) + int(scheduled), int(failed)


def make_task_queue(setting: Any) -> TaskBackend:
    """``FastrAPI(task_queue=...)``: a Redis URL, an RQ ``Queue``, a ``redis.Redis`` or a ready backend."""
    if isinstance(setting, str):
        return TaskQueue.from_url(setting)
    if isinstance(setting, Queue):
        return TaskQueue(setting)
    if isinstance(setting, redis.Redis):
        return TaskQueue(Queue(DEFAULT_QUEUE_NAME, connection=setting))
    if callable(getattr(setting, "enqueue", None)) and callable(getattr(setting, "counts", None)):
        return setting  # type: ignore[no-any-return]
    raise TypeError(f"task_queue must be a Redis URL, an rq.Queue, a redis.Redis or a task backend, not {setting!r}")
