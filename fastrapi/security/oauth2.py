"""OAuth2: the password-flow form, bearer-token schemes and ``SecurityScopes``."""

from __future__ import annotations

from typing import Annotated, Any

from fastrapi.params import Form
from fastrapi.requests import Request
from fastrapi.security.base import SecurityBase
from fastrapi.security.models import OAuth2 as OAuth2Model
from fastrapi.security.models import OAuthFlows, flows_model
from fastrapi.security.utils import get_authorization_scheme_param


class OAuth2PasswordRequestForm:
    """The form of OAuth2's password flow, as a class dependency:
    ``form_data: Annotated[OAuth2PasswordRequestForm, Depends()]``.

    ``username`` and ``password`` are required; ``scope`` (space-separated) becomes the list
    ``scopes``; ``grant_type`` may be omitted (it must be "password" when sent).
    """

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form(json_schema_extra={"format": "password"})] = None,
    ) -> None:
        self.grant_type = grant_type
        self.username = username
        self.password = password
        self.scopes = scope.split()
        self.client_id = client_id
        self.client_secret = client_secret


class OAuth2PasswordRequestFormStrict(OAuth2PasswordRequestForm):
    """``OAuth2PasswordRequestForm`` where ``grant_type=password`` is required, as the spec says."""

    def __init__(
        self,
        grant_type: Annotated[str, Form(pattern="^password$")],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],  # no "format": "password" here, as in FastAPI's strict form
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> None:
        super().__init__(grant_type=grant_type, username=username, password=password, scope=scope,
                         client_id=client_id, client_secret=client_secret)


class OAuth2(SecurityBase):
    """OAuth2 with the given ``flows``; the dependency's value is the raw ``Authorization`` header."""

    model: OAuth2Model

    def __init__(self, *, flows: OAuthFlows | dict[str, dict[str, Any]] = OAuthFlows(),  # noqa: B008
                 scheme_name: str | None = None, description: str | None = None, auto_error: bool = True) -> None:
        self.model = OAuth2Model(flows=flows_model(flows), description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def check(self, request: Request) -> str | None:
        return self.raw_authorization(request)

    def _bearer_token(self, request: Request) -> str | None:
        authorization = request.environ.get("HTTP_AUTHORIZATION")
        scheme, param = get_authorization_scheme_param(authorization)
        if not authorization or scheme.lower() != "bearer":
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return param


class OAuth2PasswordBearer(OAuth2):
    """The token of ``Authorization: Bearer <token>``, got from the password flow at ``tokenUrl``."""

    def __init__(self, tokenUrl: str, scheme_name: str | None = None,
                 scopes: dict[str, str] | None = None, description: str | None = None, auto_error: bool = True,
                 refreshUrl: str | None = None) -> None:
        flows = {"password": {"tokenUrl": tokenUrl, "refreshUrl": refreshUrl, "scopes": scopes or {}}}
        super().__init__(flows=flows, scheme_name=scheme_name, description=description, auto_error=auto_error)

    def check(self, request: Request) -> str | None:
        return self._bearer_token(request)


class OAuth2AuthorizationCodeBearer(OAuth2):
    """The bearer token of the authorization-code flow (``authorizationUrl`` and ``tokenUrl``)."""

    def __init__(self, authorizationUrl: str, tokenUrl: str, refreshUrl: str | None = None,
                 scheme_name: str | None = None, scopes: dict[str, str] | None = None,
                 description: str | None = None, auto_error: bool = True) -> None:
        flows = {"authorizationCode": {"authorizationUrl": authorizationUrl, "tokenUrl": tokenUrl,
                                       "refreshUrl": refreshUrl, "scopes": scopes or {}}}
        super().__init__(flows=flows, scheme_name=scheme_name, description=description, auto_error=auto_error)

    def check(self, request: Request) -> str | None:
        return self._bearer_token(request)


class SecurityScopes:
    """The OAuth2 scopes asked for by a dependency and every dependant above it
    (``Security(dep, scopes=[...])``): ``scopes`` as a list, ``scope_str`` space-separated."""

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes: list[str] = scopes or []
        self.scope_str: str = " ".join(self.scopes)
