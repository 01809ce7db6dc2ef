"""The ceiling: a raw WSGI hello, no framework.

``python bench/apps/raw_wsgi.py PORT`` serves it on gevent.pywsgi with TCP_NODELAY (fastrapi's
embedded ``Server``, the same setup as ``app.serve()``); gunicorn loads ``raw_wsgi:app``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"Hello":"World"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", list(HEADERS))
    return [BODY]


if __name__ == "__main__":
    from fastrapi.server import Server, make_listener

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    Server(make_listener("127.0.0.1", port), app).serve_forever()
