"""API keys sent in a query parameter, a header or a cookie."""

from __future__ import annotations

from fastrapi.exceptions import HTTPException
from fastrapi.requests import Request
from fastrapi.security.base import SecurityBase
from fastrapi.security.models import APIKey, APIKeyIn


class APIKeyBase(SecurityBase):
    """An API key read from ``location`` under ``name``; the dependency's value is the key."""

    model: APIKey

    def __init__(self, location: APIKeyIn, name: str, description: str | None, scheme_name: str | None,
                 auto_error: bool) -> None:
        self.auto_error = auto_error
        # ``in`` is a keyword: the model is built from its aliases.
        self.model = APIKey.model_validate({"in": location, "name": name, "description": description})
        self.scheme_name = scheme_name or type(self).__name__

    def make_not_authenticated_error(self) -> HTTPException:
        """401 with the ``APIKey`` challenge (RFC 9110 wants a WWW-Authenticate on every 401)."""
        return HTTPException(401, detail="Not authenticated", headers={"WWW-Authenticate": "APIKey"})

    def check_api_key(self, api_key: str | None) -> str | None:
        """The key, or the 401 (``auto_error``) / None when it is missing or empty."""
        if not api_key:
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return api_key


class APIKeyQuery(APIKeyBase):
    """``APIKeyQuery(name="api_key")``: the key of ``?api_key=...``."""

    def __init__(self, *, name: str, scheme_name: str | None = None, description: str | None = None,
                 auto_error: bool = True) -> None:
        super().__init__(APIKeyIn.query, name, description, scheme_name, auto_error)

    def check(self, request: Request) -> str | None:
        return self.check_api_key(request.query_params.get(self.model.name))


class APIKeyHeader(APIKeyBase):
    """``APIKeyHeader(name="x-key")``: the value of that header."""

    def __init__(self, *, name: str, scheme_name: str | None = None, description: str | None = None,
                 auto_error: bool = True) -> None:
        super().__init__(APIKeyIn.header, name, description, scheme_name, auto_error)

    def check(self, request: Request) -> str | None:
        return self.check_api_key(request.headers.get(self.model.name))


class APIKeyCookie(APIKeyBase):
    """``APIKeyCookie(name="session")``: the value of that cookie."""

    def __init__(self, *, name: str, scheme_name: str | None = None, description: str | None = None,
                 auto_error: bool = True) -> None:
        super().__init__(APIKeyIn.cookie, name, description, scheme_name, auto_error)

    def check(self, request: Request) -> str | None:
        return self.check_api_key(request.cookies.get(self.model.name))
