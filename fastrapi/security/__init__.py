"""Security schemes as dependencies: OAuth2, HTTP Basic/Bearer/Digest, API keys, OpenID Connect.

Each scheme instance is a callable dependency (``Depends(scheme)``) that extracts the credentials
or answers 401 with FastAPI's ``WWW-Authenticate`` header (``auto_error=False``: the value is None
instead). ``scheme.model`` is its OpenAPI security scheme object and ``scheme.scheme_name`` its name.
"""

from fastrapi.security.api_key import APIKeyCookie, APIKeyHeader, APIKeyQuery
from fastrapi.security.base import SecurityBase
from fastrapi.security.http import (
    HTTPAuthorizationCredentials,
    HTTPBase,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
)
from fastrapi.security.oauth2 import (
    OAuth2,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
    SecurityScopes,
)
from fastrapi.security.open_id_connect_url import OpenIdConnect

__all__ = [
    "APIKeyCookie", "APIKeyHeader", "APIKeyQuery", "HTTPAuthorizationCredentials", "HTTPBase", "HTTPBasic",
    "HTTPBasicCredentials", "HTTPBearer", "HTTPDigest", "OAuth2", "OAuth2AuthorizationCodeBearer",
    "OAuth2PasswordBearer", "OAuth2PasswordRequestForm", "OAuth2PasswordRequestFormStrict", "OpenIdConnect",
    "SecurityBase", "SecurityScopes",
]
