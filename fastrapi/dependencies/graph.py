"""A route's dependency tree, flattened at add time into the steps a request runs.

FastAPI walks the tree on every request: for each use of a dependency it solves the dependency's
own sub-dependencies, then its parameters, then calls it unless an earlier use with the same cache
key (the dependency, its OAuth2 scopes when it uses them, its scope) already did. All of that is
decided by the tree, not by the request, so it is done here once: every use becomes a
``DependencyStep`` in execution order (sub-dependencies first), and a use that FastAPI would take
from its per-request cache becomes a step that reuses an earlier step's value. A request then
walks a list of steps and keeps their values in a list.
"""

from __future__ import annotations

import dis
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastrapi import params
from fastrapi.concurrency import code_can_suspend
from fastrapi.concurrency_limits import ConcurrencyLimit
from fastrapi.dependencies.analysis import (
    BodyPlan,
    CallPlan,
    ParamField,
    RoutePlan,
    analyse_call,
    body_plan,
    is_form_body,
    should_embed,
)
from fastrapi.exceptions import FastrAPIError
from fastrapi.security.base import SecurityBase


class DependencyScopeError(FastrAPIError):
    """A dependency with ``yield`` and the default (request) scope depends on one with
    ``scope="function"``, whose exit code would run before its own."""


@dataclass(slots=True)
class DependencyStep:
    """One use of a dependency in a route's tree."""

    call: Callable[..., Any]  # what runs: the dependency, or its override
    plan: CallPlan  # what ``call`` takes from the request
    dependency: Callable[..., Any]  # as declared (the key of overrides and of the cache)
    name: str | None  # the parameter it fills in its dependant; None for ``dependencies=[...]``
    subs: tuple[int, ...]  # the steps of its own dependencies
    args: tuple[tuple[str, int], ...]  # its parameters filled by those steps
    reuse: int  # -1: call it; else the earlier step whose value it takes (FastAPI's cache)
    scopes: tuple[str, ...]  # the OAuth2 scopes its ``SecurityScopes`` gets (dependants' ones first)
    own_scopes: tuple[str, ...]  # those its own ``Security(..., scopes=...)`` asked for
    scope: str | None  # as declared: "function", "request" or None
    exits_early: bool  # a ``yield`` dependency whose exit code runs when the endpoint returns
    cache_key: Any
    use_cache: bool
    security: SecurityBase | None  # the security scheme it is, if any (OpenAPI)
    body: BodyPlan | None = None  # its body fields, read from the route's shared body
    limit: ConcurrencyLimit | None = None  # its declaration's ``max_concurrency`` (an override keeps it)


# -- what kind of callable ----------------------------------------------------------------------

def _impartial(call: Any) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return call


def _candidates(call: Any) -> list[Any]:
    """The functions that say what calling ``call`` does (itself, unwrapped, its ``__call__``)."""
    target = _impartial(call)
    found = [target, inspect.unwrap(target)]
    if inspect.isclass(found[-1]):
        return found
    dunder = getattr(target, "__call__", None)  # noqa: B004
    if dunder is not None and not inspect.isfunction(target) and not inspect.ismethod(target):
        found += [_impartial(dunder), inspect.unwrap(_impartial(dunder))]
    return found


def call_kind(call: Any) -> str:
    """``sync``, ``async``, ``gen`` (``def`` with ``yield``) or ``agen`` (``async def`` with ``yield``)."""
    candidates = _candidates(call)
    if any(inspect.isgeneratorfunction(c) for c in candidates):
        return "gen"
    if any(inspect.isasyncgenfunction(c) for c in candidates):
        return "agen"
    if inspect.isclass(candidates[1]):
        return "sync"
    if any(inspect.iscoroutinefunction(c) or getattr(c, "_is_coroutine_marker", None) for c in candidates):
        return "async"
    return "sync"


# Opcodes of await, async for and async with; an async generator's own ``yield`` is YIELD_VALUE
# too, so that one does not count.
_AWAIT_OPS = {"GET_AWAITABLE", "GET_AITER", "GET_ANEXT", "BEFORE_ASYNC_WITH", "SEND", "END_ASYNC_FOR"}


def _code_of(call: Any) -> Any:
    for candidate in reversed(_candidates(call)):
        code = getattr(getattr(candidate, "__func__", candidate), "__code__", None)
        if code is not None:
            return code
    return None


def call_suspends(call: Any, kind: str) -> bool:
    """Whether an ``async`` callable can ever wait (else it is driven without an event loop)."""
    if kind == "async":
        code = _code_of(call)
        return True if code is None else code_can_suspend(code)
    if kind == "agen":
        code = _code_of(call)
        return code is None or any(i.opname in _AWAIT_OPS for i in dis.get_instructions(code))
    return False


def _security_scheme(call: Any) -> SecurityBase | None:
    target = inspect.unwrap(_impartial(call))
    return target if isinstance(target, SecurityBase) else None


# -- analysis of a dependency, once per callable ------------------------------------------------

_analysed: dict[tuple[Any, frozenset[str]], tuple[Any, CallPlan]] = {}


def _key_of(call: Any) -> Any:
    try:
        hash(call)
    except TypeError:
        return ("id", id(call))
    return call


def analyse_dependency(call: Callable[..., Any], path_names: set[str]) -> CallPlan:
    """``call``'s plan; the same object for every route with the same path parameter names."""
    key = (_key_of(call), frozenset(path_names))
    found = _analysed.get(key)
    if found is not None and found[0] is call:
        return found[1]
    kind = call_kind(call)
    suspends = call_suspends(call, kind)
    plan = CallPlan(call=call, is_async=kind in ("async", "agen"), suspends=suspends, kind=kind)
    name = getattr(_impartial(call), "__name__", type(call).__name__)
    analyse_call(plan, path_names, name)
    _analysed[key] = (call, plan)
    return plan


# -- linking the tree into steps ----------------------------------------------------------------

class _Linker:
    def __init__(self, path_names: set[str], overrides: Mapping[Any, Callable[..., Any]] | None) -> None:
        self.path_names = path_names
        self.overrides = overrides or {}
        self.steps: list[DependencyStep] = []
        self.first: dict[Any, int] = {}  # cache key → the step that computes it
        self.uses_scopes_memo: dict[Any, bool] = {}

    def plan_of(self, call: Callable[..., Any]) -> CallPlan:
        return analyse_dependency(call, self.path_names)

    def uses_scopes(self, marker: params.Depends) -> bool:
        """FastAPI: a dependency's cache key includes its scopes when it, or anything below it,
        asks for scopes, takes ``SecurityScopes`` or is a security scheme."""
        if isinstance(marker, params.Security) and marker.scopes:
            return True
        call = marker.dependency
        key = _key_of(call)
        if key not in self.uses_scopes_memo:
            self.uses_scopes_memo[key] = False  # a cycle fails elsewhere
            plan = self.plan_of(call)  # type: ignore[arg-type]
            self.uses_scopes_memo[key] = bool(
                plan.security_scopes_arg or _security_scheme(call) is not None
                or any(self.uses_scopes(sub) for _, sub in plan.depends))
        return self.uses_scopes_memo[key]

    def visit(self, marker: params.Depends, name: str | None, parent_scopes: tuple[str, ...]) -> int:
        dependency = marker.dependency
        if not callable(dependency):
            raise FastrAPIError(f"A dependency must be callable, got {dependency!r}")
        own = tuple(marker.scopes) if isinstance(marker, params.Security) else ()
        scopes = list(parent_scopes)
        for scope in own:
            if scope not in scopes:
                scopes.append(scope)
        call = self.overrides.get(dependency, dependency) if self.overrides else dependency
        overridden = call is not dependency
        if isinstance(call, SecurityBase):  # PERF: the scheme's sync check, unless __call__ is overridden
            call = call.plain_check() or call
        plan = self.plan_of(call)
        declared_kind_is_gen = call_kind(dependency) in ("gen", "agen")
        computed_scope = marker.scope or ("request" if declared_kind_is_gen else None)
        if plan.kind in ("gen", "agen") and (marker.scope or "request") == "request":
            for _, sub in plan.depends:
                if sub.scope == "function":
                    call_name = getattr(call, "__name__", "<unnamed_callable>")
                    raise DependencyScopeError(f'The dependency "{call_name}" has a scope of "request", it '
                                               'cannot depend on dependencies with scope "function".')
        # An override's own dependencies see the scopes of the dependency it replaces (FastAPI).
        child_scopes = tuple(scopes) if overridden else parent_scopes + own
        subs, args = [], []
        for sub_name, sub_marker in plan.depends:
            index = self.visit(sub_marker, sub_name, child_scopes)
            subs.append(index)
            args.append((sub_name, index))
        key_scopes = tuple(sorted(set(scopes))) if self.uses_scopes(marker) else ()
        cache_key = (_key_of(dependency), key_scopes, computed_scope or "")
        reuse = self.first.get(cache_key, -1) if marker.use_cache else -1
        step = DependencyStep(
            call=call, plan=plan, dependency=dependency, name=name, subs=tuple(subs), args=tuple(args),
            reuse=reuse, scopes=tuple(scopes), own_scopes=own, scope=marker.scope,
            exits_early=marker.scope == "function", cache_key=cache_key, use_cache=marker.use_cache,
            security=_security_scheme(dependency), limit=marker._concurrency,
        )
        self.steps.append(step)
        index = len(self.steps) - 1
        self.first.setdefault(cache_key, index)
        return index


def _flat_body_fields(plan: RoutePlan, steps: list[DependencyStep]) -> list[ParamField]:
    """Every body field of the tree, the endpoint's first, then each use in tree order (FastAPI)."""
    fields = list(plan.body_fields)
    pending = list(reversed(plan.root_steps))
    while pending:
        step = steps[pending.pop()]
        fields.extend(step.plan.body_fields)
        pending.extend(reversed(step.subs))
    return fields


def link(plan: RoutePlan, dependencies: Sequence[params.Depends], path_names: set[str],
         overrides: Mapping[Any, Callable[..., Any]] | None, name: str) -> None:
    """Flatten the endpoint's dependency tree (route-level ``dependencies`` first) into ``plan``."""
    linker = _Linker(path_names, overrides)
    roots = [linker.visit(marker, None, ()) for marker in dependencies]
    args = []
    for param_name, marker in plan.depends:
        index = linker.visit(marker, param_name, ())
        roots.append(index)
        args.append((param_name, index))
    steps = linker.steps
    plan.root_steps = tuple(roots)
    plan.dependency_args = tuple(args)
    plan.dependencies = tuple(steps)
    called = [s for s in steps if s.reuse < 0]
    plan.needs_response = bool(plan.response_arg or any(s.plan.response_arg for s in called))
    plan.needs_background = bool(plan.background_arg or any(s.plan.background_arg for s in called))
    plan.has_exits = any(s.plan.kind in ("gen", "agen") for s in called)
    flat = _flat_body_fields(plan, steps)
    plan.flat_body_fields = flat
    if not flat:
        return
    embed, is_form = should_embed(flat), is_form_body(flat)
    # As in FastAPI, the body is read and parsed once, before any dependency runs (a malformed one
    # is answered before they run); then each callable validates its own fields, in python mode.
    unique: dict[str, ParamField] = {}
    for f in flat:
        unique.setdefault(f.name, f)
    plan.shared_body = body_plan(name, list(unique.values()), embed, is_form)
    if plan.body_fields:
        plan.body = body_plan(name, plan.body_fields, embed, is_form)
    for step in called:
        if step.plan.body_fields:
            step.body = body_plan(f"{name}_{step.name or 'dependency'}", step.plan.body_fields, embed, is_form)
