"""What every security scheme is: a dependency with an OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request
from fastrapi.security.models import SecurityBase as SecurityBaseModel


class SecurityBase:
    """Base of the schemes. ``model`` is the OpenAPI security scheme object, ``scheme_name`` its
    key under ``components.securitySchemes`` (the class name unless given)."""

    model: SecurityBaseModel
    scheme_name: str
    auto_error: bool

    def check(self, request: Request) -> Any:
        """The scheme's credentials from ``request`` (the 401 when missing and ``auto_error``)."""
        raise NotImplementedError

    async def __call__(self, request: Request) -> Any:
        """The dependency, ``async`` as FastAPI's: a subclass may ``await super().__call__(request)``."""
        return self.check(request)

    def plain_check(self) -> Callable[[Request], Any] | None:
        """``check`` when ``__call__`` is not overridden: the solver calls it directly (no coroutine)."""
        return self.check if type(self).__call__ is SecurityBase.__call__ else None

    def make_not_authenticated_error(self) -> HTTPException:
        """The 401 answered when credentials are missing (OAuth2 and OpenID Connect: a Bearer challenge)."""
        return HTTPException(401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    def raw_authorization(self, request: Request) -> str | None:
        """The ``Authorization`` header as sent; missing: the 401, or None without ``auto_error``."""
        # PERF: the environ key, without building the request's Headers.
        authorization: str | None = request.environ.get("HTTP_AUTHORIZATION")
        if not authorization:
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return authorization
