"""The app behind tests/test_http_strict.py: it counts which routes ran, so a smuggled request shows.

``GET /int/{n}`` is the request an attack tries to smuggle; ``GET /ran/{name}`` tells how often a
route ran (``int-666``, ``upload``, ``echo``). ``GET /mark/{tag}`` prints ``MARK tag`` to stdout,
so a test knows that everything the server logged before it is in the captured output.
Hosts are checked by ``TrustedHostMiddleware``: ``good.example``, ``x`` and ``127.0.0.1``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from fastrapi import Body, FastrAPI, Response
from fastrapi.middleware.trustedhost import TrustedHostMiddleware

ALLOWED_HOSTS = ["good.example", "x", "127.0.0.1"]
# What each response-header route puts in a header value; none of it may reach the wire.
BAD_VALUES = {"nul": "a\x00b", "vt": "a\x0bb", "del": "a\x7fb", "crlf": "a\r\nX-Injected: yes"}

ran: Counter[str] = Counter()
app = FastrAPI()
app.add_middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS)


@app.get("/int/{n}")
def int_route(n: int) -> dict[str, int]:
    ran[f"int-{n}"] += 1
    return {"n": n}


@app.get("/ran/{name}")
def ran_count(name: str) -> dict[str, int]:
    return {"ran": ran[name]}


@app.get("/mark/{tag}")
def mark(tag: str) -> dict[str, str]:
    print(f"MARK {tag}", flush=True)
    return {"mark": tag}


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}


@app.post("/upload")
def upload(data: bytes = Body(media_type="application/octet-stream")) -> dict[str, int]:
    """Runs only once the whole body arrived: a truncated body must never get here."""
    ran["upload"] += 1
    return {"len": len(data)}


@app.post("/echo")
def echo(data: bytes = Body(media_type="application/octet-stream")) -> Response:
    ran["echo"] += 1
    return Response(data, media_type="application/octet-stream")


@app.get("/bad-header/{which}")
def bad_header(which: str) -> Response:
    """A response header with a control byte in its value, set through fastrapi's Response."""
    return Response(b"bad", headers={"X-Bad": BAD_VALUES[which]})


def raw_bad_header(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The same through plain WSGI, so the server itself is tested, not fastrapi's Response."""
    which = environ.get("PATH_INFO", "").strip("/")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3"),
                              ("X-Bad", BAD_VALUES.get(which, "fine"))])
    return [b"bad"]


app.mount("/raw-bad-header", raw_bad_header)
