"""Serves one app factory of the differential tests (chosen by FASTRAPI_FACTORY) on fastrapi.

``app`` is the app itself; ``mounted`` is the same app under ``/api`` of a Werkzeug dispatcher.
"""

from __future__ import annotations

import os

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from tests import test_differential_core as cases
from tests.differential import FASTRAPI


def _not_found(environ: dict, start_response) -> list[bytes]:  # type: ignore[no-untyped-def]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"outside the api"]


app = getattr(cases, os.environ["FASTRAPI_FACTORY"])(FASTRAPI)
mounted = DispatcherMiddleware(_not_found, {"/api": app})
