"""HTTP authentication schemes of the ``Authorization`` header: Basic, Bearer, Digest."""

from __future__ import annotations

import binascii
from base64 import b64decode

from pydantic import BaseModel

from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request
from fastrapi.security.base import SecurityBase
from fastrapi.security.models import HTTPBase as HTTPBaseModel
from fastrapi.security.models import HTTPBearer as HTTPBearerModel
from fastrapi.security.utils import get_authorization_scheme_param


class HTTPBasicCredentials(BaseModel):
    """The user name and password of HTTP Basic authentication."""

    username: str
    password: str


class HTTPAuthorizationCredentials(BaseModel):
    """``Authorization: <scheme> <credentials>``, split."""

    scheme: str
    credentials: str


def _authorization(request: Request) -> str | None:
    # PERF: the environ key, without building the request's Headers.
    return request.environ.get("HTTP_AUTHORIZATION")


class HTTPBase(SecurityBase):
    """Any ``Authorization`` scheme; the dependency's value is ``HTTPAuthorizationCredentials``."""

    model: HTTPBaseModel

    def __init__(self, *, scheme: str, scheme_name: str | None = None, description: str | None = None,
                 auto_error: bool = True) -> None:
        self.model = HTTPBaseModel(scheme=scheme, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_authenticate_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.model.scheme.title()}

    def make_not_authenticated_error(self) -> HTTPException:
        return HTTPException(401, detail="Not authenticated", headers=self.make_authenticate_headers())

    def _credentials(self, request: Request, expected: str | None) -> HTTPAuthorizationCredentials | None:
        authorization = _authorization(request)
        scheme, credentials = get_authorization_scheme_param(authorization)
        if not (authorization and scheme and credentials) or (expected and scheme.lower() != expected):
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)

    def check(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, None)


class HTTPBasic(HTTPBase):
    """HTTP Basic: the dependency's value is ``HTTPBasicCredentials``; a missing or malformed
    header answers 401 with ``WWW-Authenticate: Basic`` (with ``realm`` when given)."""

    def __init__(self, *, scheme_name: str | None = None, realm: str | None = None,
                 description: str | None = None, auto_error: bool = True) -> None:
        self.model = HTTPBaseModel(scheme="basic", description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.realm = realm
        self.auto_error = auto_error

    def make_authenticate_headers(self) -> dict[str, str]:
        if self.realm:
            return {"WWW-Authenticate": f'Basic realm="{self.realm}"'}
        return {"WWW-Authenticate": "Basic"}

    def check(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        authorization = _authorization(request)
        scheme, param = get_authorization_scheme_param(authorization)
        if not authorization or scheme.lower() != "basic":
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        # A header that says Basic but cannot be read is an error even without auto_error (FastAPI).
        try:
            data = b64decode(param).decode("ascii")
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise self.make_not_authenticated_error() from exc
        username, separator, password = data.partition(":")
        if not separator:
            raise self.make_not_authenticated_error()
        return HTTPBasicCredentials(username=username, password=password)


class HTTPBearer(HTTPBase):
    """``Authorization: Bearer <token>``; the value is ``HTTPAuthorizationCredentials``."""

    def __init__(self, *, bearerFormat: str | None = None, scheme_name: str | None = None,
                 description: str | None = None, auto_error: bool = True) -> None:
        self.model = HTTPBearerModel(bearerFormat=bearerFormat, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def check(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, "bearer")


class HTTPDigest(HTTPBase):
    """``Authorization: Digest ...``; the value is ``HTTPAuthorizationCredentials`` (not checked)."""

    def __init__(self, *, scheme_name: str | None = None, description: str | None = None,
                 auto_error: bool = True) -> None:
        self.model = HTTPBaseModel(scheme="digest", description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def check(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, "digest")
