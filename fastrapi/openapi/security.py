"""The security schemes a route's dependency tree uses: ``components.securitySchemes`` and the
operation's ``security`` requirements (one per scheme, its OAuth2 scopes merged)."""

from __future__ import annotations

from typing import Any

from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.encoders import jsonable_encoder


def route_security(plan: RoutePlan) -> tuple[dict[str, Any], list[dict[str, list[str]]]]:
    """``(schemes by name, requirements)`` of the security dependencies in ``plan``'s tree."""
    schemes: dict[str, Any] = {}
    scopes_by_name: dict[str, list[str]] = {}
    for scheme, scopes in plan.security_requirements():
        name = scheme.scheme_name
        schemes[name] = jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
        merged = scopes_by_name.setdefault(name, [])
        merged.extend(scope for scope in scopes if scope not in merged)
    return schemes, [{name: scopes} for name, scopes in scopes_by_name.items()]
