"""Forwarded headers from a trusted proxy: ``X-Forwarded-Proto`` and ``X-Forwarded-For`` (gunicorn's and
uvicorn's rule: believed only from the addresses in ``forwarded_allow_ips``, loopback by default)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

DEFAULT_FORWARDED_ALLOW_IPS = ("127.0.0.1", "::1")


def trusts(allowed: Iterable[str] | str | None, peer: str) -> bool:
    """``peer`` may set the forwarded headers (``"*"`` trusts every peer)."""
    if allowed is None:
        return False
    if isinstance(allowed, str):
        allowed = [ip.strip() for ip in allowed.split(",")]
    allowed = list(allowed)
    return "*" in allowed or peer in allowed


def apply_forwarded(environ: dict[str, Any]) -> None:
    """Take the scheme and the client address the proxy in front of us saw (its last hop)."""
    proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if proto:
        scheme = proto.rsplit(",", 1)[-1].strip().lower()
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
    forwarded_for = environ.get("HTTP_X_FORWARDED_FOR")
    if forwarded_for:
        client = forwarded_for.rsplit(",", 1)[-1].strip()
        if client:
            environ["REMOTE_ADDR"] = client
            environ["REMOTE_PORT"] = "0"
