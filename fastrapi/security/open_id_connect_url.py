"""OpenID Connect discovery: the dependency's value is the raw ``Authorization`` header."""

from __future__ import annotations

from fastrapi.requests import Request
from fastrapi.security.base import SecurityBase
from fastrapi.security.models import OpenIdConnect as OpenIdConnectModel


class OpenIdConnect(SecurityBase):
    """OpenID Connect with its discovery document at ``openIdConnectUrl``."""

    model: OpenIdConnectModel

    def __init__(self, *, openIdConnectUrl: str, scheme_name: str | None = None,
                 description: str | None = None, auto_error: bool = True) -> None:
        self.model = OpenIdConnectModel(openIdConnectUrl=openIdConnectUrl, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def check(self, request: Request) -> str | None:
        return self.raw_authorization(request)
