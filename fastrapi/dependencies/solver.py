"""Runs a ``RoutePlan`` for one request: run the dependency steps, extract, validate, collect
FastAPI-shaped errors.

Each parameter's reader (``extractors``) gives its raw value; one adapter per callable then
validates all its path/query/header/cookie values at once, and one its body fields.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from fastrapi.concurrency import in_gevent_greenlet, is_patched, run_async, run_sync
from fastrapi.concurrency_limits import ConcurrencyLimit
from fastrapi.datastructures import FormData, Headers, UploadFile
from fastrapi.dependencies.analysis import MODEL, SEP, TWIN, BodyPlan, CallPlan, ParamField, ParamModel, RoutePlan
from fastrapi.dependencies.exits import LimitedYieldExit, RequestExits, YieldExit, enter
from fastrapi.dependencies.extractors import ABSENT as _ABSENT
from fastrapi.dependencies.graph import DependencyStep
from fastrapi.exceptions import HTTPException, RequestValidationError
from fastrapi.requests import Request, read_body, set_body_limit
from fastrapi.security.oauth2 import SecurityScopes

_JSON_SUBTYPE_SUFFIX = "+json"


def is_json_content_type(value: str | None) -> bool:
    """``application/json`` or ``application/*+json``, parameters ignored (as ``email.message`` reads it)."""
    if not value:
        return False
    media_type = value.partition(";")[0].strip().lower()
    if media_type.count("/") != 1:
        return False
    maintype, _, subtype = media_type.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith(_JSON_SUBTYPE_SUFFIX))


# -- reading values ---------------------------------------------------------------------------

def _read_bytes(value: Any) -> Any:
    """An uploaded file's content for a ``bytes`` parameter, leaving the file where it was."""
    if isinstance(value, UploadFile):
        position = value.file.tell()
        try:
            return value.file.read()
        finally:
            value.file.seek(position)
    if isinstance(value, list):
        return [_read_bytes(v) for v in value]
    return value


def _multi_items(source: Any) -> list[tuple[str, Any]]:
    if isinstance(source, Headers):
        return source.items()
    if isinstance(source, dict):
        return list(source.items())
    items: list[tuple[str, Any]] = source.multi_items()
    return items


def _first_sent(lookups: tuple[tuple[str, str], ...], source: Any) -> tuple[str, str]:
    """The first (name, key) whose key the request sent (``AliasChoices``), else the first one."""
    if len(lookups) == 1:
        return lookups[0]
    return next(((name, key) for name, key in lookups if key in source), lookups[0])


def _model_value(model: ParamModel, source: Any) -> Any:
    """The dict a parameter model validates: its fields by the names they are sent under, and,
    as in FastAPI, every other key of the location (the model's ``extra`` decides about those)."""
    data: dict[str, Any] = {}
    used: set[str] = set(model.skip_keys)
    for entry in model.entries:
        if model.first_non_empty:
            for alias, key in entry.lookups:
                used.add(key)
                value = entry.read(source, key)
                if value is not _ABSENT:
                    data[alias] = _read_bytes(value) if entry.file_bytes else value
                    break
            continue
        alias, key = _first_sent(entry.lookups, source)
        value = entry.read(source, key)
        if value is not _ABSENT:
            data[alias] = _read_bytes(value) if entry.file_bytes else value
        used.add(key)
    grouped: dict[str, list[Any]] = {}
    for key, value in _multi_items(source):
        if key not in used:
            grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        data[key] = values[0] if len(values) == 1 else values
    if model.optional and not (model.own_names.intersection(source) or (model.keeps_extra and data)):
        return _ABSENT
    return data


def _collect(fields: list[ParamField], source: Any, raw: dict[str, Any]) -> None:
    for f in fields:
        if f.model is not None:
            value = _model_value(f.model, source)
            if value is not _ABSENT:
                raw[f.keys[0][0]] = value
            continue
        keys = f.keys
        raw_key, key = _first_sent(keys, source)
        value = f.read(source, key)
        if value is not _ABSENT:
            raw[raw_key] = _read_bytes(value) if f.file_bytes else value
        elif f.validate_default:
            raw[keys[0][0]] = f.default_value()


# -- errors -----------------------------------------------------------------------------------

def convert_errors(errors: list[Any], location: str | None, missing_depth: int = 1,
                   renames: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """pydantic errors as FastAPI reports them. With ``location`` None the first ``loc`` item is an
    adapter key ("query\\x00q"); else it is a request name under ``location``. A missing parameter
    (``loc`` no deeper than ``missing_depth``) has input None; a missing model field keeps its
    object, as in FastAPI."""
    converted = []
    for error in errors:
        loc = error["loc"]
        if location is None:
            where, _, name = loc[0].partition(SEP)
            if not name.startswith(MODEL):
                if TWIN in name:
                    name = name.partition(TWIN)[0]
                new_loc = (where, name, *loc[1:])
            elif renames and loc[0] in renames and len(loc) > 1:
                # A header model reports the header name, not the field's (FastAPI).
                new_loc = (where, renames[loc[0]].get(loc[1], loc[1]), *loc[2:])
            else:
                new_loc = (where, *loc[1:])
        else:
            new_loc = (location, *loc)
        entry = {"type": error["type"], "loc": new_loc, "msg": error["msg"],
                 "input": None if error["type"] == "missing" and len(loc) <= missing_depth else error["input"]}
        if "ctx" in error:
            entry["ctx"] = error["ctx"]
        converted.append(entry)
    return converted


def _missing(location: str, *names: str) -> dict[str, Any]:
    return {"type": "missing", "loc": (location, *names), "msg": "Field required", "input": None}


# -- parameters -------------------------------------------------------------------------------

def _solve_params(plan: CallPlan, request: Request, values: dict[str, Any], errors: list[Any]) -> None:
    raw: dict[str, Any] = {}
    for group in plan.groups:
        location = group.location
        if location == "path":
            source: Any = request.path_params
        elif location == "query":
            source = request.query_params
        elif location == "header":
            source = request.headers
        else:
            source = request.cookies
        _collect(group.fields, source, raw)
    try:
        validated = plan.params_validate(raw)  # type: ignore[misc]
    except ValidationError as exc:
        errors.extend(convert_errors(exc.errors(include_url=False), None, 1, plan.renames))
        return
    values.update(validated)
    for f in plan.optional_params:
        if f.name not in validated:
            values[f.name] = f.default_value()


# -- body -------------------------------------------------------------------------------------

def _apply_defaults(body_plan: BodyPlan, validated: dict[str, Any], values: dict[str, Any]) -> None:
    values.update(validated)
    for f in body_plan.optional_fields:
        if f.name not in validated:
            values[f.name] = f.default_value()


def _solve_form(body_plan: BodyPlan, form: FormData, values: dict[str, Any], errors: list[Any]) -> None:
    raw: dict[str, Any] = {}
    _collect(body_plan.fields, form, raw)
    try:
        validated = body_plan.adapter.validate_python(raw)
    except ValidationError as exc:
        errors.extend(convert_errors(exc.errors(include_url=False), None))
        return
    _apply_defaults(body_plan, validated, values)


_UNDEFINED: Any = object()


def _validate_parsed(body_plan: BodyPlan, data: Any, values: dict[str, Any], errors: list[Any]) -> None:
    """Validate a parsed JSON body (or raw bytes, or nothing) the way FastAPI does, in python mode."""
    if not body_plan.embed:
        only = body_plan.fields[0]
        if data is _UNDEFINED:
            if only.required:
                errors.append(_missing("body"))
            else:
                values[only.name] = only.default_value()
            return
        try:
            values[only.name] = body_plan.adapter.validate_python(data, from_attributes=True)
        except ValidationError as exc:
            errors.extend(convert_errors(exc.errors(include_url=False), "body", 0))
        return
    if data is _UNDEFINED or isinstance(data, bytes):
        data = {}
    elif not isinstance(data, dict):
        # FastAPI looks each embedded field up in the body: a non-object has none of them.
        errors.extend(_missing("body", f.alias) for f in body_plan.fields)
        return
    try:
        validated = body_plan.adapter.validate_python(data, from_attributes=True)
    except ValidationError as exc:
        errors.extend(convert_errors(exc.errors(include_url=False), "body"))
        return
    _apply_defaults(body_plan, validated, values)


def _parse_json(body: bytes) -> Any:
    """``json.loads`` with FastAPI's answers to a body it cannot read."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                 "input": {}, "ctx": {"error": exc.msg}}
        raise RequestValidationError([error], body=exc.doc) from None
    except Exception:
        raise HTTPException(400, detail="There was an error parsing the body") from None


def _body_bytes(request: Request) -> bytes:
    """The request body; through the request's own ``body()`` when its class overrides it (a custom
    ``Request`` made by a route class, such as FastAPI's gzip-decoding one)."""
    if type(request).body is Request.body:  # PERF: the plain request reads the environ directly
        return read_body(request.environ)
    body: bytes = run_async(request.body, (), {})
    return body


_PARSE_LATER: Any = object()  # a valid JSON body: parsed only if another parameter fails


def _solve_json(plan: RoutePlan, request: Request, values: dict[str, Any], errors: list[Any]) -> Any:
    body_plan: BodyPlan = plan.body  # type: ignore[assignment]
    body = _body_bytes(request)
    if not body:
        _validate_parsed(body_plan, _UNDEFINED, values, errors)
        return None
    content_type = request.environ.get("CONTENT_TYPE")
    if is_json_content_type(content_type) or (not content_type and not plan.strict_content_type):
        if body_plan.json_mode:
            # PERF: JSON bytes go straight into pydantic; only a rejected body is parsed again,
            # to give FastAPI's errors (python mode) or its json_invalid entry.
            try:
                validated = body_plan.validate_json(body)  # type: ignore[misc]
            except ValidationError:
                pass
            else:
                if body_plan.embed:
                    _apply_defaults(body_plan, validated, values)
                else:
                    values[body_plan.fields[0].name] = validated
                return _PARSE_LATER
        data = _parse_json(body)
        _validate_parsed(body_plan, data, values, errors)
        return data
    _validate_parsed(body_plan, body, values, errors)
    return body


def _read_shared_body(plan: RoutePlan, request: Request) -> Any:
    """The body read once for a tree whose dependencies take body fields too: a ``FormData``,
    the parsed JSON, the raw bytes (not JSON) or ``_UNDEFINED`` (empty)."""
    if plan.shared_body.is_form:  # type: ignore[union-attr]
        return request.read_form(plan.form_limits)
    body = _body_bytes(request)
    if not body:
        return _UNDEFINED
    content_type = request.environ.get("CONTENT_TYPE")
    if is_json_content_type(content_type) or (not content_type and not plan.strict_content_type):
        return _parse_json(body)
    return body


def _validate_body(body_plan: BodyPlan, data: Any, values: dict[str, Any], errors: list[Any]) -> None:
    if body_plan.is_form:
        _solve_form(body_plan, data, values, errors)
    else:
        _validate_parsed(body_plan, data, values, errors)


def _own_arguments(node: CallPlan, body_plan: BodyPlan | None, data: Any, request: Request,
                   values: dict[str, Any], errors: list[Any]) -> None:
    if node.params_validate is not None:
        _solve_params(node, request, values, errors)
    if body_plan is not None:
        _validate_body(body_plan, data, values, errors)


def _call(step: DependencyStep, kwargs: dict[str, Any], exits: RequestExits | None, inline: bool) -> Any:
    if step.limit is not None:
        return _call_limited(step, step.limit, kwargs, exits, inline)
    node = step.plan
    kind = node.kind
    if kind == "sync":
        # PERF: where sync code runs is decided once per request, not per dependency.
        return step.call(**kwargs) if inline else run_sync(step.call, **kwargs)
    if kind == "async":
        return run_async(step.call, (), kwargs, node.suspends)
    generator = step.call(**kwargs)
    value = enter(kind, generator, node.suspends)
    if exits is not None:
        exits.push(YieldExit(generator, kind == "agen", node.suspends), step.exits_early)
    return value


def _call_limited(step: DependencyStep, limit: ConcurrencyLimit, kwargs: dict[str, Any],
                  exits: RequestExits | None, inline: bool) -> Any:
    """``_call`` holding a slot of the declaration's limit: until it returns, or, with ``yield``,
    until its exit code has run (``LimitedYieldExit``). Taken here, on the request's side, so a
    waiting call holds no pool thread and nothing on the bridge loop."""
    node = step.plan
    kind = node.kind
    limit.acquire()
    if kind == "sync" or kind == "async":
        try:
            if kind == "async":
                return run_async(step.call, (), kwargs, node.suspends)
            return step.call(**kwargs) if inline else run_sync(step.call, **kwargs)
        finally:
            limit.release()
    try:
        generator = step.call(**kwargs)
        value = enter(kind, generator, node.suspends)
    except BaseException:
        limit.release()
        raise
    if exits is None:
        limit.release()
    else:
        exits.push(LimitedYieldExit(generator, kind == "agen", node.suspends, limit), step.exits_early)
    return value


def _solve_dependencies(plan: RoutePlan, request: Request, response: Any, background: Any,
                        exits: RequestExits | None, data: Any, errors: list[Any]) -> list[Any]:
    """Run the steps in order; a step runs when nothing below it failed validation (FastAPI
    still runs the sibling dependencies whose own input is valid)."""
    steps = plan.dependencies
    results: list[Any] = [None] * len(steps)
    inline = is_patched() or not in_gevent_greenlet()  # run_sync's test
    # PERF: both made on the first validation error only.
    failed: list[bool] | None = None
    own_errors: dict[int, list[Any]] | None = None
    for index, step in enumerate(steps):
        bad = False
        if failed is not None:
            for sub in step.subs:
                if failed[sub]:
                    bad = True
                    break
        reuse = step.reuse
        if reuse >= 0:
            # FastAPI's cache: the value of an earlier use; its validation errors repeat.
            if own_errors and reuse in own_errors:
                errors.extend(own_errors[reuse])
                bad = True
            if not bad:
                results[index] = results[reuse]
                continue
        else:
            node = step.plan
            kwargs: dict[str, Any] = {}
            if node.params_validate is not None or step.body is not None:
                before = len(errors)
                _own_arguments(node, step.body, data, request, kwargs, errors)
                if len(errors) > before:
                    if own_errors is None:
                        own_errors = {}
                    own_errors[index] = errors[before:]
                    bad = True
            if not bad:
                for name, sub in step.args:
                    kwargs[name] = results[sub]
                if node.request_arg:
                    kwargs[node.request_arg] = request
                if node.response_arg:
                    kwargs[node.response_arg] = response
                if node.background_arg:
                    kwargs[node.background_arg] = background
                if node.security_scopes_arg:
                    kwargs[node.security_scopes_arg] = SecurityScopes(list(step.scopes))
                results[index] = _call(step, kwargs, exits, inline)
                continue
        if failed is None:
            failed = [False] * len(steps)
        failed[index] = True
    return results


def solve(plan: RoutePlan, request: Request, response: Any, background: Any,
          exits: RequestExits | None = None) -> dict[str, Any]:
    """The keyword arguments for the endpoint, after running its dependencies (``yield`` ones
    are entered into ``exits``); raises ``RequestValidationError`` on bad input."""
    values: dict[str, Any] = {}
    errors: list[Any] = []
    limit = plan.max_body_size
    if limit is not None:
        set_body_limit(request.environ, limit)
    body: Any = None
    if plan.dependencies:
        data = _read_shared_body(plan, request) if plan.shared_body is not None else None
        results = _solve_dependencies(plan, request, response, background, exits, data, errors)
        if not errors:
            for name, index in plan.dependency_args:
                values[name] = results[index]
        if plan.params_adapter is not None:
            _solve_params(plan, request, values, errors)
        if plan.body is not None:
            _validate_body(plan.body, data, values, errors)
        body = None if data is _UNDEFINED or data is None else data
    else:
        if plan.params_adapter is not None:
            _solve_params(plan, request, values, errors)
        if plan.body is not None:
            if plan.body.is_form:
                body = request.read_form(plan.form_limits)
                _solve_form(plan.body, body, values, errors)
            else:
                body = _solve_json(plan, request, values, errors)
    if errors:
        if body is _PARSE_LATER:
            body = json.loads(_body_bytes(request))
        raise RequestValidationError(errors, body=body)
    if plan.request_arg:
        values[plan.request_arg] = request
    if plan.response_arg:
        values[plan.response_arg] = response
    if plan.background_arg:
        values[plan.background_arg] = background
    if plan.security_scopes_arg:
        values[plan.security_scopes_arg] = SecurityScopes()
    return values
