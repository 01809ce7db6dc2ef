"""The OpenAPI "Security Scheme Object" of each scheme, as pydantic models with FastAPI's names.

A scheme instance's ``.model`` is one of these; ``model.model_dump(by_alias=True, exclude_none=True)``
is the object that goes under ``components.securitySchemes[scheme.scheme_name]``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SecuritySchemeType(Enum):
    apiKey = "apiKey"
    http = "http"
    oauth2 = "oauth2"
    openIdConnect = "openIdConnect"


class APIKeyIn(Enum):
    query = "query"
    header = "header"
    cookie = "cookie"


class SecurityBase(BaseModel):
    """What every security scheme object has: its ``type`` and a ``description``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type_: SecuritySchemeType = Field(alias="type")
    description: str | None = None


class APIKey(SecurityBase):
    type_: SecuritySchemeType = Field(default=SecuritySchemeType.apiKey, alias="type")
    in_: APIKeyIn = Field(alias="in")
    name: str


class HTTPBase(SecurityBase):
    type_: SecuritySchemeType = Field(default=SecuritySchemeType.http, alias="type")
    scheme: str


class HTTPBearer(HTTPBase):
    scheme: Literal["bearer"] = "bearer"
    bearerFormat: str | None = None


class OAuthFlow(BaseModel):
    model_config = ConfigDict(extra="allow")

    refreshUrl: str | None = None
    scopes: dict[str, str] = {}


class OAuthFlowImplicit(OAuthFlow):
    authorizationUrl: str


class OAuthFlowPassword(OAuthFlow):
    tokenUrl: str


class OAuthFlowClientCredentials(OAuthFlow):
    tokenUrl: str


class OAuthFlowAuthorizationCode(OAuthFlow):
    authorizationUrl: str
    tokenUrl: str


class OAuthFlows(BaseModel):
    model_config = ConfigDict(extra="allow")

    implicit: OAuthFlowImplicit | None = None
    password: OAuthFlowPassword | None = None
    clientCredentials: OAuthFlowClientCredentials | None = None
    authorizationCode: OAuthFlowAuthorizationCode | None = None


class OAuth2(SecurityBase):
    type_: SecuritySchemeType = Field(default=SecuritySchemeType.oauth2, alias="type")
    flows: OAuthFlows


class OpenIdConnect(SecurityBase):
    type_: SecuritySchemeType = Field(default=SecuritySchemeType.openIdConnect, alias="type")
    openIdConnectUrl: str


SecurityScheme = APIKey | HTTPBase | OAuth2 | OpenIdConnect | HTTPBearer


def flows_model(flows: OAuthFlows | dict[str, Any]) -> OAuthFlows:
    return flows if isinstance(flows, OAuthFlows) else OAuthFlows.model_validate(flows)
