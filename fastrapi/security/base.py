"""What every security scheme is: a dependency with an OpenAPI description."""

from __future__ import annotations

from fastrapi.security.models import SecurityBase as SecurityBaseModel


class SecurityBase:
    """Base of the schemes. ``model`` is the OpenAPI security scheme object, ``scheme_name`` its
    key under ``components.securitySchemes`` (the class name unless given)."""

    model: SecurityBaseModel
    scheme_name: str
