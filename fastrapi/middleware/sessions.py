"""``SessionMiddleware``: ``request.session``, a dict kept in a signed cookie.

The cookie is the JSON of the session, base64-encoded, timestamped and HMAC-signed with
``secret_key`` in itsdangerous' ``TimestampSigner`` format (what Starlette writes), so any
process with the same key reads it, and sessions made by a FastAPI app stay valid. The data is
signed, not encrypted: the client can read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from typing_extensions import Self

from fastrapi.requests import parse_cookie_header

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

SESSION_KEY = "fastrapi.session"


class Session(dict[str, Any]):
    """The session dict; remembers whether it was read or changed."""

    accessed = False
    modified = False

    def mark_accessed(self) -> None:
        self.accessed = True

    def mark_modified(self) -> None:
        self.accessed = True
        self.modified = True

    def __setitem__(self, key: str, value: Any) -> None:
        self.mark_modified()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.mark_modified()
        super().__delitem__(key)

    def clear(self) -> None:
        self.mark_modified()
        super().clear()

    def pop(self, key: str, *args: Any) -> Any:
        if key in self:
            self.mark_modified()
        return super().pop(key, *args)

    def popitem(self) -> tuple[str, Any]:
        item = super().popitem()
        self.mark_modified()
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.mark_modified()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.mark_modified()
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]  # as typeshed's dict: |= takes more than |
        self.mark_modified()
        return super().__ior__(other)


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64decode(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


class TimestampSigner:
    """``value.timestamp.signature`` (HMAC-SHA1 over a derived key), as itsdangerous writes it."""

    def __init__(self, secret_key: str | bytes, salt: bytes = b"itsdangerous.Signer") -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        self.key = hashlib.sha1(salt + b"signer" + secret).digest()

    def _signature(self, value: bytes) -> bytes:
        return _b64encode(hmac.new(self.key, value, hashlib.sha1).digest())

    def sign(self, value: bytes, now: float | None = None) -> bytes:
        stamp = int(time.time() if now is None else now)
        value = value + b"." + _b64encode(stamp.to_bytes((stamp.bit_length() + 7) // 8 or 1, "big"))
        return value + b"." + self._signature(value)

    def unsign(self, signed: bytes, max_age: int | None = None) -> bytes | None:
        """The value, or None when the signature is wrong or older than ``max_age`` seconds."""
        value, sep, signature = signed.rpartition(b".")
        if not sep or not hmac.compare_digest(self._signature(value), signature):
            return None
        payload, sep, stamp = value.rpartition(b".")
        if not sep:
            return None
        try:
            age = time.time() - int.from_bytes(_b64decode(stamp), "big")
        except (ValueError, binascii.Error):
            return None
        if max_age is not None and age > max_age:
            return None
        return payload


class SessionMiddleware:
    """``app.add_middleware(SessionMiddleware, secret_key="...")``; then ``request.session["user"] = ...``."""

    def __init__(
        self,
        app: WSGIApp,
        secret_key: str,
        session_cookie: str = "session",
        max_age: int | None = 14 * 24 * 60 * 60,
        path: str = "/",
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
        domain: str | None = None,
        partitioned: bool = False,
    ) -> None:
        self.app = app
        self.signer = TimestampSigner(str(secret_key))
        self.session_cookie = session_cookie
        self.max_age = max_age
        self.path = path
        flags = "httponly; samesite=" + same_site
        if https_only:
            flags += "; secure"
        if domain is not None:
            flags += f"; domain={domain}"
        if partitioned:
            flags += "; partitioned"
        self.security_flags = flags

    def load(self, environ: dict[str, Any]) -> tuple[Session, bool]:
        """The request's session, and whether it came from a valid cookie."""
        header = environ.get("HTTP_COOKIE")
        cookie = parse_cookie_header(header).get(self.session_cookie) if header else None
        if cookie is None:
            return Session(), False
        payload = self.signer.unsign(cookie.encode("utf-8"), max_age=self.max_age)
        if payload is None:
            return Session(), False
        try:
            data = json.loads(base64.b64decode(payload))
        except (ValueError, binascii.Error):
            return Session(), False
        return Session(data if isinstance(data, dict) else {}), True

    def cookie_header(self, session: Session, had_cookie: bool) -> str | None:
        """The ``Set-Cookie`` value the response needs, if any."""
        if session.modified and session:
            data = self.signer.sign(base64.b64encode(json.dumps(session).encode("utf-8"))).decode("utf-8")
            max_age = f"Max-Age={self.max_age}; " if self.max_age is not None else ""
            return f"{self.session_cookie}={data}; path={self.path}; {max_age}{self.security_flags}"
        if session.modified and had_cookie:
            return (f"{self.session_cookie}=null; path={self.path}; "
                    f"expires=Thu, 01 Jan 1970 00:00:00 GMT; {self.security_flags}")
        return None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        session, had_cookie = self.load(environ)
        environ[SESSION_KEY] = session

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = list(headers)
            if session.accessed:
                vary = [v for k, v in headers if k.lower() == "vary"]
                headers = [(k, v) for k, v in headers if k.lower() != "vary"]
                headers.append(("vary", ", ".join([*vary, "Cookie"])))
            cookie = self.cookie_header(session, had_cookie)
            if cookie is not None:
                headers.append(("set-cookie", cookie))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
