"""``compile_route``: a route's endpoint and dependencies into the ``RoutePlan`` a request runs.

The entry point above both halves: ``analysis`` reads one signature, ``graph`` links the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from fastrapi import params
from fastrapi.concurrency import can_suspend, is_async_callable
from fastrapi.dependencies.analysis import RoutePlan, analyse_call, body_plan
from fastrapi.dependencies.graph import link
from fastrapi.exceptions import FastrAPIError
from fastrapi.formparsers import form_limits


def compile_route(call: Callable[..., Any], path_names: set[str], name: str = "route",
                  options: Mapping[str, Any] | None = None, dependencies: Sequence[params.Depends] = (),
                  overrides: Mapping[Any, Callable[..., Any]] | None = None) -> RoutePlan:
    """Analyse ``call``'s signature and its dependency tree into the plan a request runs.

    ``options`` are the route's: ``max_body_size`` (bytes, 413 past it), ``form_limits``
    (``max_fields``/``max_files``/``max_part_size``) and ``strict_content_type``.
    ``dependencies`` are the route's ``dependencies=[...]`` (app, routers, decorator, in that
    order); ``overrides`` the app's ``dependency_overrides``.
    """
    options = options or {}
    is_async = is_async_callable(call)
    plan = RoutePlan(call=call, is_async=is_async, suspends=is_async and can_suspend(call),
                     **route_settings(options, {}))
    analyse_call(plan, path_names, name)
    for marker in dependencies:
        if not isinstance(marker, params.Depends):
            raise FastrAPIError(f"dependencies=[...] takes Depends(...) items, not {marker!r}")
    plan.needs_response = plan.response_arg is not None
    plan.needs_background = plan.background_arg is not None
    plan.reads_nothing = not (plan.groups or plan.body_fields or plan.request_arg
                              or options.get("max_body_size") is not None
                              or plan.security_scopes_arg or plan.depends or dependencies)
    if not dependencies and not plan.depends:
        # PERF: no tree: the endpoint's body goes straight from JSON bytes into pydantic.
        if plan.body_fields:
            plan.body = body_plan(name, plan.body_fields)
            plan.flat_body_fields = list(plan.body_fields)
        return plan
    link(plan, dependencies, path_names, overrides, name)
    return plan


def route_settings(options: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The ``RoutePlan`` fields for the route's ``max_body_size``/``form_limits``/``strict_content_type``
    options, falling back to the app-wide ``settings`` of the same names."""
    max_body_size = options.get("max_body_size")
    if max_body_size is None:
        max_body_size = settings.get("max_body_size")
    check_max_body_size(max_body_size)
    strict = options.get("strict_content_type")
    if strict is None:
        strict = settings.get("strict_content_type")
    return {
        "max_body_size": max_body_size,
        "form_limits": form_limits(options.get("form_limits"), form_limits(settings.get("form_limits"))),
        "strict_content_type": True if strict is None else bool(strict),
    }


def check_max_body_size(max_body_size: object) -> None:
    """Refuse a ``max_body_size`` that is not a non-negative int or None (FastAPI's ValueError)."""
    if max_body_size is not None and (isinstance(max_body_size, bool) or not isinstance(max_body_size, int)
                                      or max_body_size < 0):
        raise ValueError("max_body_size must be a non-negative integer or None")


def with_settings(plan: RoutePlan, options: Mapping[str, Any], settings: Mapping[str, Any]) -> RoutePlan:
    """``plan`` under an app's route ``settings`` (the route's own ``options`` win); made when the
    route starts serving in that app, so a request reads plain fields."""
    return replace(plan, **route_settings(options, settings))
