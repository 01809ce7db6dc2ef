"""``TrustedHostMiddleware``: answers 400 unless the request's host is one of ``allowed_hosts``.

The host is the Host header's, or, for an absolute-form target (``GET http://host/path``), the
target's: RFC 9112 section 3.2.2 has the server ignore the Host header then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from ipaddress import AddressValueError, IPv6Address
from typing import Any

from fastrapi.requests import Request
from fastrapi.responses import PlainTextResponse, RedirectResponse, Response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

ENFORCE_DOMAIN_WILDCARD = "Domain wildcard patterns must be like '*.example.com'."

_HOST = re.compile(
    r"(?P<host>[a-z0-9._~%!$&'()*+,;=-]+|\[(?:(?P<ipv6>[a-f0-9]*:[a-f0-9.:]+)|"
    r"(?-i:v)[a-f0-9]+\.[a-z0-9._~!$&'()*+,;=:-]+)\])(?::(?P<port>[0-9]+))?",
    re.IGNORECASE,
)


# scheme "://" authority, at the start of a request target (RFC 3986 section 3).
_ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")


def target_authority(environ: dict[str, Any]) -> str | None:
    """The authority (``host[:port]``) of an absolute-form request target, else None.

    The raw target is gunicorn's ``RAW_URI`` or a ``REQUEST_URI``; a server that sets neither
    (stock gevent.pywsgi) passes an absolute target on in ``PATH_INFO``.
    """
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/"
    if target[0] == "/":  # origin-form, the common case
        return None
    match = _ABSOLUTE_FORM.match(target)
    if match is None:
        return None  # "*" (OPTIONS) or authority-form (CONNECT)
    return match[1].rpartition("@")[2]  # without any userinfo


def parse_host(header: str | None) -> str | None:
    """The host part of a ``Host`` header (brackets kept around IPv6), or None when malformed."""
    if header is None:
        return None
    match = _HOST.fullmatch(header)
    if match is None:
        return None
    if match["ipv6"] is not None:
        try:
            IPv6Address(match["ipv6"])
        except AddressValueError:
            return None
    return match["host"]


class TrustedHostMiddleware:
    """``allowed_hosts=["example.com", "*.example.com"]``; ``www_redirect`` sends ``example.com``
    to ``www.example.com`` when only the latter is allowed."""

    def __init__(self, app: WSGIApp, allowed_hosts: Sequence[str] | None = None, www_redirect: bool = True) -> None:
        if allowed_hosts is None:
            allowed_hosts = ["*"]
        for pattern in allowed_hosts:
            assert "*" not in pattern[1:], ENFORCE_DOMAIN_WILDCARD
            if pattern.startswith("*") and pattern != "*":
                assert pattern.startswith("*."), ENFORCE_DOMAIN_WILDCARD
        self.app = app
        self.allowed_hosts = [pattern.lower() for pattern in allowed_hosts]
        self.allow_any = "*" in allowed_hosts
        self.www_redirect = www_redirect

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.allow_any:
            return self.app(environ, start_response)
        authority = target_authority(environ)
        if authority is not None:
            # The target's host is the request's host: what is checked here is what the app sees.
            environ["HTTP_HOST"] = authority
        host = parse_host(environ.get("HTTP_HOST"))
        if host is None:
            return PlainTextResponse("Invalid host header", status_code=400)(environ, start_response)
        host = host.lower()
        www_redirect = False
        for pattern in self.allowed_hosts:
            if host == pattern or (pattern.startswith("*") and host.endswith(pattern[1:])):
                return self.app(environ, start_response)
            if "www." + host == pattern:
                www_redirect = True
        response: Response
        if www_redirect and self.www_redirect:
            url = Request(environ).url
            response = RedirectResponse(url.replace(netloc="www." + url.netloc))
        else:
            response = PlainTextResponse("Invalid host header", status_code=400)
        return response(environ, start_response)
