"""Prometheus metrics for a FastrAPI app, on ``prometheus_client`` (``pip install 'fastrapi[metrics]'``).

``app.add_metrics_route("/metrics")`` adds a middleware that counts requests and times them per route (the
route's path template, ``/items/{item_id}``, never the raw path), tracks the requests in flight, and a route
that answers Prometheus's scrape with those and the background-task counters (``app.background_stats()``).

Under several gunicorn workers each process counts in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode; ``fastrapi run`` sets the directory up itself) and a scrape of any worker sums them all.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from fastrapi.types import ROUTE_KEY, Environ, StartResponse, WSGIApp


class _Router(Protocol):
    @property
    def matcher(self) -> Any: ...


class FastrAPI(Protocol):
    """What metrics need of the app (``fastrapi.FastrAPI`` is one; a Protocol, so no import circle)."""

    @property
    def router(self) -> _Router: ...

    def background_stats(self) -> Any: ...

    def add_middleware(self, middleware_class: Callable[..., WSGIApp], *args: Any, **kwargs: Any) -> None: ...

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> Any: ...

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "<unmatched>"  # the route label of requests no route answered (404s): one series, not one per path
BACKGROUND_REFRESH = 2.0  # seconds between a worker's updates of its task gauges, in multiprocess mode


def multiprocess_mode() -> bool:
    """prometheus_client writes to ``PROMETHEUS_MULTIPROC_DIR`` (set before the first metric is made)."""
    return bool(os.environ.get(MULTIPROC_ENV))


class Metrics:
    """The metric families of one registry (made once per registry: prometheus_client refuses duplicates)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("fastrapi_requests", "HTTP requests answered, per route template",
                                ["method", "route", "status"], registry=registry)
        self.duration = Histogram("fastrapi_request_duration_seconds",
                                  "Time to answer a request (until its body is produced), per route template",
                                  ["method", "route"], registry=registry)
        self.in_flight = Gauge("fastrapi_requests_in_flight", "Requests being answered now",
                               registry=registry, multiprocess_mode="livesum")
        # PERF: requests in flight are a plain int, read at scrape time (or every BACKGROUND_REFRESH s by
        # each worker in multiprocess mode), not a locked gauge written twice per request.
        self.in_flight_now = 0
        if not multiprocess_mode():
            self.in_flight.set_function(lambda: self.in_flight_now)
        self.tasks = Gauge("fastrapi_background_tasks", "Background tasks waiting (queued) or running now",
                           ["state"], registry=registry, multiprocess_mode="livesum")
        self.tasks_finished = Gauge("fastrapi_background_tasks_finished",
                                    "Background tasks finished since each process started, by outcome",
                                    ["outcome"], registry=registry, multiprocess_mode="sum")
        self.task_seconds = Gauge("fastrapi_background_task_seconds",
                                  "Seconds spent running background tasks since each process started",
                                  registry=registry, multiprocess_mode="sum")
        # PERF: a labelled child per (method, route, status), looked up once, not through .labels() each time.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: str, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (self.requests.labels(method, route, status),
                                              self.duration.labels(method, route))
        children[0].inc()
        children[1].observe(seconds)

    def update_background(self, app: FastrAPI) -> None:
        """The sampled gauges: background tasks (and, in multiprocess mode, requests in flight)."""
        if multiprocess_mode():
            self.in_flight.set(self.in_flight_now)
        stats = app.background_stats()
        self.tasks.labels("queued").set(stats.queued)
        self.tasks.labels("running").set(stats.running)
        self.tasks_finished.labels("succeeded").set(stats.succeeded)
        self.tasks_finished.labels("failed").set(stats.failed)
        self.task_seconds.set(stats.seconds_total)


_metrics: dict[int, Metrics] = {}


def metrics_for(registry: CollectorRegistry) -> Metrics:
    """The metric families in ``registry``, made on first use."""
    found = _metrics.get(id(registry))
    if found is None:
        found = _metrics[id(registry)] = Metrics(registry)
    return found


def route_template(app: FastrAPI, environ: Environ) -> str:
    """The path template of the route that answered this request (``UNMATCHED`` when none did)."""
    route = environ.get(ROUTE_KEY)  # set by the router; a middleware that copied the environ hides it
    if route is None:
        path = environ.get("PATH_INFO") or "/"
        route, _, _ = app.router.matcher.match(environ["REQUEST_METHOD"], path)
    if route is None:
        return UNMATCHED
    return getattr(route, "path", None) or UNMATCHED


class _Timed:
    """A streamed body: the request is observed when the server closes it, after its last chunk."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body, self.done = body, done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


class MetricsMiddleware:
    """Counts, times and tracks every request of ``app`` (the WSGI middleware ``add_metrics_route`` adds)."""

    def __init__(self, app: WSGIApp, fastrapi_app: FastrAPI, metrics: Metrics) -> None:
        self.app, self.fastrapi_app, self.metrics = app, fastrapi_app, metrics
        self.refresher: Any = None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.refresher is None and multiprocess_mode():
            self._start_refresher()
        metrics = self.metrics
        started = time.perf_counter()
        status = "500"

        def recording_start_response(status_line: str, headers: list[tuple[str, str]],
                                     exc_info: Any = None) -> Any:
            nonlocal status
            status = status_line[:3]
            return start_response(status_line, headers, exc_info)

        def done() -> None:
            metrics.in_flight_now -= 1
            metrics.observe(environ["REQUEST_METHOD"], route_template(self.fastrapi_app, environ), status,
                            time.perf_counter() - started)

        metrics.in_flight_now += 1
        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            done()
            raise
        if isinstance(body, list):  # the whole body is made: the request is answered as far as the app goes
            done()
            return body
        return _Timed(body, done)

    def _start_refresher(self) -> None:
        """Each worker writes its sampled gauges now and then, so a scrape of another worker sums fresh values."""
        import gevent

        def refresh() -> None:
            while True:
                self.metrics.update_background(self.fastrapi_app)
                gevent.sleep(BACKGROUND_REFRESH)

        self.refresher = gevent.spawn(refresh)


def scrape_output(app: FastrAPI, metrics: Metrics, registry: CollectorRegistry) -> bytes:
    """The exposition: every process's metrics in multiprocess mode, else ``registry``'s."""
    metrics.update_background(app)
    if multiprocess_mode():
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return generate_latest(collected)
    return generate_latest(registry)


def add_metrics_route(app: FastrAPI, path: str = "/metrics", *, registry: CollectorRegistry | None = None) -> None:
    """Serve Prometheus metrics at ``path`` and measure every request of ``app`` (call before it serves).

    ``registry`` defaults to prometheus_client's global one, so the application's own metrics are scraped too.
    """
    registry = registry if registry is not None else REGISTRY
    metrics = metrics_for(registry)
    app.add_middleware(MetricsMiddleware, fastrapi_app=app, metrics=metrics)
    from fastrapi.responses import Response

    chosen = registry

    def metrics_route() -> Response:
        return Response(scrape_output(app, metrics, chosen), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(path, metrics_route, methods=["GET"], include_in_schema=False, name="metrics")


def mark_process_dead(pid: int) -> None:
    """gunicorn's ``child_exit``: drop a dead worker's live gauges (in-flight, tasks now) from the sums."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
