"""Signature → ``RoutePlan``, once, when a route is added.

Everything about a route's arguments is decided here, by FastAPI's rules: where each value is read
(path, query, header, cookie, JSON body, form), under which request names, how it is validated (one
pydantic adapter for all the request parameters, one for the body) and what a missing one becomes.
The solver then runs the plan with no signature inspection and no model building per request.
"""

from __future__ import annotations

import copy
import enum
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

from pydantic import AliasChoices, BaseModel, Field, Json, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, SchemaValidator
from typing_extensions import NotRequired, Required, TypedDict

from fastrapi import params
from fastrapi.background import BackgroundTasks
from fastrapi.datastructures import UploadFile
from fastrapi.dependencies.annotations import (
    _file_bytes,
    _is_scalar_sequence,
    _matches,
    _sequence_of,
    _subclass,
    _unwrap,
    is_complex,
    is_pydantic_v1,
    is_sequence,
    model_of,
    native_class,
)
from fastrapi.dependencies.extractors import Reader, read_one, reader_for
from fastrapi.dependencies.form_unions import BranchField, FormUnion, form_union, union_models
from fastrapi.exceptions import FastrAPIError, pydantic_v1_not_supported
from fastrapi.formparsers import FormLimits, ensure_multipart
from fastrapi.requests import HTTPConnection
from fastrapi.responses import Response
from fastrapi.security.oauth2 import SecurityScopes

_IMMUTABLE_DEFAULTS = (type(None), str, bytes, int, float, bool, complex, enum.Enum, frozenset)
LOCATIONS = ("path", "query", "header", "cookie")
SEP = "\x00"  # joins location and name in the parameters adapter's keys ("query\x00q")
MODEL = "\x01"  # starts the key of a parameter model spread over its location
TWIN = "\x02"  # ends the key of a parameter sent under the same name as an earlier one ("body\x00a\x02b")


# -- the plan ---------------------------------------------------------------------------------

@dataclass(slots=True)
class ModelEntry:
    """One field of a parameter model: the request names it answers to and its shape."""

    lookups: tuple[tuple[str, str], ...]  # (name given to the model, request key), in order of preference
    is_sequence: bool
    file_bytes: int = 0
    read: Reader = read_one


@dataclass(slots=True)
class ParamModel:
    """A pydantic model whose fields are read from one location (``Annotated[Model, Query()]``)."""

    cls: type[BaseModel]
    entries: tuple[ModelEntry, ...]
    own_names: frozenset[str]  # every request key of its fields, to tell "not sent" from "sent empty"
    keeps_extra: bool  # extra="allow" or "forbid": unknown request keys go to the model
    optional: bool  # declared ``Model | None``: absent when none of its keys is sent
    skip_keys: frozenset[str] = frozenset()  # request keys never passed on as extras
    renames: dict[str, str] = field(default_factory=dict)  # field alias → header name, for error locations
    # A form model: each field takes the first of its names sent non-empty; its names after that one
    # stay in the form, as extras (FastAPI 0.165).
    first_non_empty: bool = False


@dataclass(slots=True)
class ParamField:
    """One endpoint argument read from the request."""

    name: str
    location: str  # path, query, header, cookie or body
    alias: str  # the request name reported when the value is missing
    lookups: tuple[tuple[str, str], ...]  # (reported name, request key), in order of preference
    marker: FieldInfo  # the effective marker: default, alias, constraints
    annotation: Any  # the type validated, with its constraints
    is_sequence: bool
    model: ParamModel | None = None
    union: FormUnion | None = None  # a form parameter typed as a union of models
    file_bytes: int = 0  # 1: an uploaded file read into bytes, 2: a list of them
    copy_default: bool = False
    validate_default: bool = False  # an absent value is replaced by the default before validation
    keys: tuple[tuple[str, str], ...] = ()  # ``lookups`` with the adapter's key for each reported name
    read: Reader = read_one  # the extractor of its raw value

    @property
    def required(self) -> bool:
        return self.marker.is_required()

    def default_value(self) -> Any:
        value = self.marker.get_default(call_default_factory=True)
        # PERF: FastAPI deep-copies every default; only mutable ones need it.
        return copy.deepcopy(value) if self.copy_default else value


@dataclass(slots=True)
class ParamGroup:
    """The arguments read from one location, in declaration order."""

    location: str
    fields: list[ParamField]


@dataclass(slots=True)
class BodyPlan:
    """How the request body becomes arguments."""

    fields: list[ParamField]
    embed: bool  # the body is an object keyed by field alias (else: the one field's value)
    is_form: bool  # parsed as a form (urlencoded or multipart), else JSON
    adapter: TypeAdapter[Any]
    json_mode: bool  # JSON bytes go straight into pydantic (False when strict fields need python mode)
    optional_fields: list[ParamField]
    validate_json: Callable[[bytes], Any] | None = None

    @property
    def required(self) -> bool:
        return any(f.required for f in self.fields)


@dataclass(slots=True)
class CallPlan:
    """What one callable (an endpoint or a dependency) takes from a request, worked out once."""

    call: Callable[..., Any]
    is_async: bool
    suspends: bool
    kind: str = "sync"  # sync, async, gen (def with yield) or agen (async def with yield)
    groups: list[ParamGroup] = field(default_factory=list)
    params_adapter: TypeAdapter[Any] | None = None  # validates every group at once
    params_validate: Callable[[Any], Any] | None = None  # its validate_python
    optional_params: list[ParamField] = field(default_factory=list)
    renames: dict[str, dict[str, str]] = field(default_factory=dict)  # adapter key → header model renames
    body_fields: list[ParamField] = field(default_factory=list)  # its own body/form parameters
    request_arg: str | None = None
    response_arg: str | None = None
    background_arg: str | None = None
    security_scopes_arg: str | None = None
    # Its parameters that are dependencies, in declaration order: (parameter name, marker with
    # the dependency filled in).
    depends: tuple[tuple[str, params.Depends], ...] = ()


@dataclass(slots=True)
class RoutePlan(CallPlan):
    """Everything a request needs to call an endpoint, worked out once.

    The endpoint's own parameters are the ``CallPlan`` fields; its dependency tree is flattened
    into ``dependencies`` (see ``fastrapi.dependencies.graph``): every use of a dependency, in the
    order they run (sub-dependencies first), each naming the steps it takes values from, so a
    request walks a list. ``iter_dependencies()`` and ``security_requirements()`` describe the
    tree (for OpenAPI).
    """

    body: BodyPlan | None = None  # the endpoint's body parameters
    # The route's options over the app's (``compile.route_settings``); None: no body limit.
    max_body_size: int | None = None
    form_limits: FormLimits = field(default_factory=FormLimits)
    strict_content_type: bool = True  # True: a body without Content-Type is not JSON
    # Nothing to take from the request: at most ``BackgroundTasks`` and ``Response`` parameters.
    reads_nothing: bool = False
    # The dependency steps in execution order (``graph.DependencyStep``).
    dependencies: tuple[Any, ...] = ()
    root_steps: tuple[int, ...] = ()  # the steps the endpoint depends on directly (route-level first)
    dependency_args: tuple[tuple[str, int], ...] = ()  # endpoint parameter ← step value
    needs_response: bool = False  # some callable of the tree takes ``Response``
    needs_background: bool = False  # some callable of the tree takes ``BackgroundTasks``
    has_exits: bool = False  # some dependency has ``yield``: the request keeps an exit list
    # Set when dependencies read the body too: the body is read and parsed once, before any
    # dependency runs, then each callable validates its own fields (``BodyPlan`` per step).
    shared_body: BodyPlan | None = None
    flat_body_fields: list[ParamField] = field(default_factory=list)  # every body field of the tree

    @property
    def request_body(self) -> BodyPlan | None:
        """The whole request body: every body field of the tree, or the endpoint's alone."""
        return self.shared_body or self.body

    def iter_dependencies(self, unique: bool = True) -> Iterator[Any]:
        """``(step, depth)`` for the dependency steps in FastAPI's tree order: depth first, a
        dependant before its own dependencies, depth 1 for the endpoint's own, route-level
        ``dependencies=[...]`` first. ``unique``: only the first use of each cache key, as
        FastAPI's OpenAPI walk does."""
        seen: set[Any] = set()
        pending = [(index, 1) for index in reversed(self.root_steps)]
        while pending:
            index, depth = pending.pop()
            step = self.dependencies[index]
            if unique:
                if step.cache_key in seen:
                    continue
                seen.add(step.cache_key)
            yield step, depth
            pending.extend((sub, depth + 1) for sub in reversed(step.subs))

    def security_requirements(self) -> list[tuple[Any, list[str]]]:
        """``(scheme, scopes)`` for every security scheme in the tree, in tree order, unmerged:
        ``scheme`` has ``.model`` and ``.scheme_name``; ``scopes`` are the OAuth2 scopes asked for
        by it and every dependant above it (``Security(..., scopes=[...])``)."""
        return [(step.security, list(step.scopes)) for step, _ in self.iter_dependencies()
                if step.security is not None]


# -- FastAPI's type rules ---------------------------------------------------------------------

def _parameters(call: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(call, eval_str=True)
    except NameError:  # names only imported under TYPE_CHECKING
        signature = inspect.signature(call)
    result = []
    for param in signature.parameters.values():
        annotation = param.annotation
        value = getattr(annotation, "__value__", None)
        if value is not None and type(annotation).__name__ == "TypeAliasType":  # PEP 695 ``type X = ...``
            annotation = value
        result.append(param.replace(annotation=annotation))
    return result


def _marker_in(extras: list[Any]) -> FieldInfo | params.Depends | None:
    found = [e for e in extras if isinstance(e, (params.Param, params.Body, params.Depends))]
    return found[-1] if found else None


def _merged(marker: FieldInfo, annotation: Any) -> FieldInfo:
    """``marker`` with the constraints of every ``Field``/validator in ``annotation``'s ``Annotated``."""
    merged = FieldInfo.from_annotation(annotation)
    result = copy.copy(marker)
    for attr in ("alias", "validation_alias", "serialization_alias", "discriminator", "default_factory",
                 "title", "description", "examples", "deprecated", "json_schema_extra", "validate_default"):
        value = getattr(merged, attr, None)
        if value is not None:
            setattr(result, attr, value)
    result.metadata = list(merged.metadata)
    result.annotation = merged.annotation
    return result


def _inferred(name: str, inner: Any, default: Any, path_names: set[str]) -> FieldInfo:
    if name in path_names:
        return params.Path()
    if _matches(inner, UploadFile) or _sequence_of(inner, UploadFile):
        return params.File(default)
    if is_complex(inner):
        return params.Body(default)
    return params.Query(default)


def _field_info(param: inspect.Parameter, path_names: set[str]) -> FieldInfo | params.Depends | None:
    """The marker that says where ``param`` is read, with its default and annotation, its
    ``Depends``, or None for the injected ``Request``/``Response``/``BackgroundTasks``/``SecurityScopes``."""
    annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
    value = param.default
    inner, extras = annotation, []
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
    inner = native_class(inner)
    marker = _marker_in(extras)
    if isinstance(marker, params.Depends) or isinstance(value, params.Depends):
        if isinstance(marker, params.Depends) and isinstance(value, params.Depends):
            raise FastrAPIError(f"Cannot specify `Depends` in `Annotated` and default value together "
                                f"for {param.name!r}")
        if isinstance(value, params.Depends) and isinstance(marker, FieldInfo):
            raise FastrAPIError(f"Cannot specify a FastAPI annotation in `Annotated` and `Depends` as a default "
                                f"value together for {param.name!r}")
        depends = marker if isinstance(marker, params.Depends) else value
        if depends.dependency is None:  # ``Depends()``: the annotated class is the dependency
            depends = depends.with_dependency(inner)
        return depends
    info: FieldInfo | None = None
    if isinstance(marker, FieldInfo):
        if marker.default is not PydanticUndefined and marker.default is not ...:
            raise FastrAPIError(f"`{type(marker).__name__}` default value cannot be set in `Annotated` for "
                                f"{param.name!r}. Set the default value with `=` instead.")
        info = _merged(marker, annotation)
        if value is not inspect.Parameter.empty:
            if param.name in path_names:
                raise FastrAPIError("Path parameters cannot have default values")
            info.default = value
        else:
            info.default = PydanticUndefined
    if isinstance(value, FieldInfo):
        if info is not None:
            raise FastrAPIError(f"Cannot specify FastAPI annotations in `Annotated` and default value together "
                                f"for {param.name!r}")
        info = copy.copy(value)
        info.annotation = inner  # FastAPI drops the Annotated extras when the marker is the default
    if info is None:
        if _subclass(inner, (HTTPConnection, Response, BackgroundTasks, SecurityScopes)):
            return None
        default = value if value is not inspect.Parameter.empty else PydanticUndefined
        info = _inferred(param.name, inner, default, path_names)
        info = _merged(info, annotation) if extras else info
        info.annotation = info.annotation if extras else inner
        if param.name in path_names:
            info.default = PydanticUndefined
    if param.name in path_names and not isinstance(info, params.Path):
        raise FastrAPIError(f"Cannot use `{type(info).__name__}` for path param {param.name!r}")
    if not isinstance(info, (params.Param, params.Body)):
        raise FastrAPIError(f"{param.name!r}: a plain pydantic `Field()` does not say where the value comes from; "
                            "use Query(), Header(), Cookie(), Body(), Form() or File()")
    return info


def _validation_type(info: FieldInfo) -> Any:
    extra: list[Any] = list(info.metadata)
    if info.discriminator is not None:
        extra.append(Field(discriminator=info.discriminator))
    annotation = Any if info.annotation is None else info.annotation
    if not extra:
        return annotation
    args = (annotation, *extra)
    return Annotated[args]  # a runtime-built Annotated[annotation, *extra]


def _alias(name: str, info: FieldInfo) -> str:
    if info.alias:
        return info.alias
    if getattr(info, "convert_underscores", False):
        return name.replace("_", "-")
    return name


def _header_key(name: str) -> str:
    # WSGI turns "-" and "_" of a header name into "_" (HTTP_X_TOKEN): both are found as "-".
    return name.lower().replace("_", "-")


def _lookups(name: str, info: FieldInfo, location: str) -> tuple[tuple[str, str], ...]:
    """FastAPI's (validation alias, request key) pairs for a plain parameter, in order of preference."""
    alias = _alias(name, info)
    validation_alias = info.validation_alias
    if isinstance(validation_alias, str) and validation_alias:
        alias = validation_alias
    names = [alias]
    if isinstance(validation_alias, AliasChoices) and location != "path" and \
            all(isinstance(c, str) for c in validation_alias.choices):
        names = list(validation_alias.choices)  # type: ignore[arg-type]
    key = _header_key if location == "header" else str
    return tuple((n, key(n)) for n in names)


def _model_names(field_name: str, info: FieldInfo, convert_underscores: bool, populate_by_name: bool,
                 by_alias: bool = True) -> list[tuple[str, str]]:
    """(name given to the model, name in the request) for one field of a parameter model, in order of
    preference; a header's request name is as FastAPI reports it in errors (``save-data``, or ``save_data``
    with ``convert_underscores=False``, or an explicit alias as written)."""
    alias = info.validation_alias if isinstance(info.validation_alias, str) else None
    alias = alias or info.alias or field_name
    request_key = alias.replace("_", "-") if convert_underscores and alias == field_name else alias
    pairs = [(alias, request_key)]
    choices = info.validation_alias
    if isinstance(choices, AliasChoices) and all(isinstance(c, str) for c in choices.choices):
        pairs = [(c, c) for c in choices.choices]  # type: ignore[misc]
    if not by_alias:  # ``validate_by_alias=False``: the field's own name only
        pairs = [(field_name, field_name.replace("_", "-") if convert_underscores else field_name)]
    elif populate_by_name and field_name not in [p[0] for p in pairs]:
        pairs.append((field_name, field_name.replace("_", "-") if convert_underscores else field_name))
    return pairs


def _model_entry(field_name: str, info: FieldInfo, convert_underscores: bool, populate_by_name: bool,
                 location: str, by_alias: bool = True) -> ModelEntry:
    pairs = _model_names(field_name, info, convert_underscores, populate_by_name, by_alias)
    if location == "header":
        pairs = [(a, _header_key(k)) for a, k in pairs]
    annotation = info.annotation
    file_bytes = _file_bytes(annotation) if location == "body" else 0
    sequence = is_sequence(annotation) and not any(type(m) is Json for m in info.metadata)  # a JSON string
    return ModelEntry(tuple(pairs), sequence, file_bytes, reader_for(location, sequence))


def _param_model(cls: type[BaseModel], info: FieldInfo, location: str) -> ParamModel:
    config = cls.model_config
    populate = bool(config.get("validate_by_name", config.get("populate_by_name", False)))
    convert = location == "header" and getattr(info, "convert_underscores", True)
    entries = []
    skip: set[str] = set()
    renames: dict[str, str] = {}
    for field_name, field_info in cls.model_fields.items():
        own_convert = convert and getattr(field_info, "convert_underscores", True)
        entry = _model_entry(field_name, field_info, own_convert, populate, location)
        entries.append(entry)
        if location == "header":
            skip.update(_header_key(a) for a, _ in entry.lookups)
            # Errors name the header as written, not as WSGI folds it (HTTP_SAVE_DATA is "save-data").
            renames.update((a, name) for a, name in _model_names(field_name, field_info, own_convert, populate)
                           if a != name)
    own = frozenset(k for e in entries for _, k in e.lookups)
    if not config.get("loc_by_alias", True):
        renames = {}
    return ParamModel(cls, tuple(entries), own, config.get("extra") in ("allow", "forbid"),
                      _unwrap(info.annotation) is not cls, frozenset(skip), renames, location == "body")


def _branch_fields(cls: type[BaseModel]) -> tuple[BranchField, ...]:
    """The fields of one branch of a form union, as a form sends them."""
    config = cls.model_config
    populate = bool(config.get("validate_by_name", config.get("populate_by_name", False)))
    by_alias = config.get("validate_by_alias") is not False
    entries = (_model_entry(n, i, False, populate, "body", by_alias) for n, i in cls.model_fields.items())
    return tuple(BranchField(tuple(a for a, _ in e.lookups), e.is_sequence) for e in entries)


class UnsupportedParamType(FastrAPIError, AssertionError):
    """A path or query parameter of a type it cannot be read as. FastAPI asserts it: an ``AssertionError``,
    and a ``FastrAPIError`` like fastrapi's other mistakes found where a route is added."""


def _param_field(name: str, info: FieldInfo, location: str) -> ParamField:
    annotation = info.annotation
    if is_pydantic_v1(annotation):
        raise pydantic_v1_not_supported(annotation)
    model = None
    union = None
    is_form = isinstance(info, params.Form)
    if is_form:
        ensure_multipart()
    is_json = any(type(m) is Json for m in info.metadata)  # a JSON string, even of a list
    spread = is_form and not getattr(info, "embed", False) and not is_json
    if (location in ("query", "header", "cookie") and not is_json) or spread:
        cls = model_of(annotation)
        if cls is not None:
            model = _param_model(cls, info, location)
        elif spread and (models := union_models(annotation)):
            union, annotation = form_union(annotation, {m: _branch_fields(m) for m in models})
            info = copy.copy(info)
            info.annotation = annotation  # the marker as the document describes it, too (FastAPI)
    if location == "query" and model is None and is_complex(annotation) and not _is_scalar_sequence(annotation):
        raise UnsupportedParamType(f"Query parameter {name!r} must be one of the supported types")
    if location == "path" and is_complex(annotation):
        raise UnsupportedParamType("Path params must be of one of the supported types")
    default = info.get_default(call_default_factory=False) if not info.is_required() else None
    lookups = _lookups(name, info, location)
    result = ParamField(
        name=name, location=location, alias=lookups[0][0], lookups=lookups, marker=info,
        annotation=_validation_type(info), is_sequence=is_sequence(annotation) and not is_json, model=model,
        union=union, file_bytes=_file_bytes(annotation) if isinstance(info, params.File) else 0,
        copy_default=info.default_factory is None and not isinstance(default, _IMMUTABLE_DEFAULTS),
        validate_default=bool(info.validate_default) and not info.is_required(),
    )
    result.keys = tuple((adapter_key(result, reported, True), key) for reported, key in lookups)
    result.read = union.read if union is not None else reader_for(location, result.is_sequence)
    return result


# -- adapters ---------------------------------------------------------------------------------

def adapter_key(f: ParamField, reported: str, prefixed: bool) -> str:
    """The key a request value is stored under in the raw dict its adapter validates."""
    if f.model is not None or f.union is not None:
        reported = MODEL + f.name
    return f"{f.location}{SEP}{reported}" if prefixed else reported


def _typed_dict(name: str, fields: list[ParamField], prefixed: bool) -> TypeAdapter[Any]:
    """One adapter for many fields: a TypedDict keyed by argument name, each field reading its
    request name(s) through ``validation_alias`` so errors carry the request name."""
    spec: dict[str, Any] = {}
    for f in fields:
        names = [k for k, _ in f.keys] if prefixed else [adapter_key(f, reported, False) for reported, _ in f.lookups]
        alias: Any = names[0] if len(names) == 1 or f.model is not None or f.union is not None \
            else AliasChoices(*names)
        spec[f.name] = (Required if f.required else NotRequired)[Annotated[f.annotation, Field(validation_alias=alias)]]
    return TypeAdapter(TypedDict(name, spec))  # type: ignore[operator]


def _fast(adapter: TypeAdapter[Any], method: str) -> Callable[..., Any]:
    """PERF: the core validator's own method, without TypeAdapter's Python wrapper (~0.25 µs a call);
    the wrapper while the adapter is incomplete (forward references), so it can still be rebuilt."""
    validator = adapter.validator
    fast: Callable[..., Any] = getattr(validator if isinstance(validator, SchemaValidator) else adapter, method)
    return fast


def _has_strict(schema: Any, seen: set[int] | None = None) -> bool:
    """Whether a core schema validates anything strictly (JSON mode would accept more than FastAPI)."""
    seen = set() if seen is None else seen
    if id(schema) in seen:
        return False
    seen.add(id(schema))
    if isinstance(schema, dict):
        if schema.get("strict") is True:
            return True
        return any(_has_strict(v, seen) for v in schema.values())
    if isinstance(schema, list | tuple):
        return any(_has_strict(v, seen) for v in schema)
    return False


def should_embed(fields: list[ParamField]) -> bool:
    """FastAPI's rule: the body is an object keyed by field name unless it is one field (counted
    by name: a dependency used twice reads the same field) that is not ``embed`` nor a plain form field."""
    if len({f.name for f in fields}) > 1:
        return True
    info = fields[0].marker
    if getattr(info, "embed", None):
        return True
    return isinstance(info, params.Form) and fields[0].model is None and fields[0].union is None


def is_form_body(fields: list[ParamField]) -> bool:
    return any(isinstance(f.marker, params.Form) for f in fields)


def body_plan(name: str, fields: list[ParamField], embed: bool | None = None,
              is_form: bool | None = None) -> BodyPlan:
    """How ``fields`` are read from the body; ``embed``/``is_form`` decided by the caller when the
    fields are part of a bigger body (dependencies reading the body too)."""
    is_form = is_form_body(fields) if is_form is None else is_form
    embed = should_embed(fields) if embed is None else embed
    if is_form:
        adapter = _typed_dict(f"{name}_form", fields, prefixed=True)
    elif embed:
        adapter = _typed_dict(f"{name}_body", fields, prefixed=False)
    else:
        adapter = TypeAdapter(fields[0].annotation)
    try:
        strict = _has_strict(adapter.core_schema)
    except Exception:  # an incomplete schema (forward references): decide for JSON mode
        strict = False
    json_mode = not is_form and not strict
    optional = [f for f in fields if not f.required]
    return BodyPlan(fields, embed or is_form, is_form, adapter, json_mode, optional, _fast(adapter, "validate_json"))


def _separate_twins(fields: list[ParamField]) -> None:
    """Give each parameter its own raw key when two read the same request name (``File(alias="a")``
    next to ``a: UploadFile``): each reads the value its own way, so they cannot share one."""
    taken: set[str] = set()
    for f in fields:
        keys = tuple((k + TWIN + f.name if k in taken else k, key) for k, key in f.keys)
        taken.update(k for k, _ in keys)
        f.keys = keys


def analyse_call(plan: CallPlan, path_names: set[str], name: str) -> None:
    """Fill ``plan`` with what ``plan.call``'s signature takes from a request."""
    by_location: dict[str, list[ParamField]] = {}
    depends: list[tuple[str, params.Depends]] = []
    for param in _parameters(plan.call):
        info = _field_info(param, path_names)
        if info is None:
            inner = _unwrap(param.annotation)
            if _subclass(inner, HTTPConnection):  # Request, WebSocket: the connection itself
                plan.request_arg = param.name
            elif _subclass(inner, Response):
                plan.response_arg = param.name
            elif _subclass(inner, SecurityScopes):
                plan.security_scopes_arg = param.name
            else:
                plan.background_arg = param.name
            continue
        if isinstance(info, params.Depends):
            depends.append((param.name, info))
            continue
        location = "body" if isinstance(info, params.Body) else info.in_.value  # type: ignore[attr-defined]
        by_location.setdefault(location, []).append(_param_field(param.name, info, location))
    plan.depends = tuple(depends)
    _separate_twins([f for group in by_location.values() for f in group])
    fields = []
    for location in LOCATIONS:
        if by_location.get(location):
            plan.groups.append(ParamGroup(location, by_location[location]))
            fields.extend(by_location[location])
    if fields:
        plan.params_adapter = _typed_dict(f"{name}_params", fields, prefixed=True)
        plan.params_validate = _fast(plan.params_adapter, "validate_python")
        plan.optional_params = [f for f in fields if not f.required]
        plan.renames = {f.keys[0][0]: f.model.renames for f in fields if f.model is not None and f.model.renames}
    plan.body_fields = by_location.get("body", [])
