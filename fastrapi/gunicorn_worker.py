"""``fastrapi.gunicorn_worker.Worker``: gunicorn's ``gevent_pywsgi`` worker, fair and quick to stop.

gevent's pywsgi server inside gunicorn serves ~1.7x the requests of ``-k gevent`` (whose
pure-Python parser and per-request timeout cost CPU), but on SIGTERM gunicorn waits for every
connection greenlet, and a browser's idle keep-alive connection kept the worker alive until
``graceful_timeout``. This worker closes connections that are waiting for their next request
once the worker stops (requests in flight still finish, and their background tasks drain), and
yields before each keep-alive request so one busy connection cannot starve the others.
"""

from __future__ import annotations

from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler

from fastrapi.request_headers import FastHeaderParsing
from fastrapi.response_writes import OneSendWrites

# The connection greenlets of this worker process now waiting for a request line.
_waiting: set[Any] = set()


class FairHandler(OneSendWrites, FastHeaderParsing, PyWSGIHandler):
    """pywsgi's handler, yielding between keep-alive requests, known while idle, parsing headers
    with ``fastrapi.request_headers``."""

    _served = 0

    def handle_one_request(self) -> Any:
        if self._served:
            gevent.sleep(0)
        self._served += 1
        return super().handle_one_request()

    def read_requestline(self) -> Any:
        current = gevent.getcurrent()
        _waiting.add(current)
        try:
            return super().read_requestline()
        finally:
            _waiting.discard(current)


class Worker(GeventPyWSGIWorker):
    """``gunicorn -k fastrapi.gunicorn_worker.Worker``; what ``fastrapi run`` uses by default."""

    wsgi_handler = FairHandler

    def run(self) -> None:
        gevent.spawn(self._close_idle_when_stopping)
        super().run()

    def _close_idle_when_stopping(self) -> None:
        while self.alive:
            gevent.sleep(0.1)
        while True:  # for the whole graceful drain: a connection that finishes a request goes idle
            for greenlet in list(_waiting):
                greenlet.kill(block=False)
            gevent.sleep(0.05)
