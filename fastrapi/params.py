"""Parameter markers: where a value comes from (path, query, header, cookie, body, form, file) and its rules.

The markers are pydantic ``FieldInfo`` subclasses, as in FastAPI, so they carry the pydantic
constraints (``gt``, ``max_length``, ``pattern``, ``strict``...) into validation unchanged.
Use them as a default (``q: str = Query(max_length=5)``) or inside ``Annotated``
(``q: Annotated[str, Query(max_length=5)] = "x"``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from fastrapi.concurrency_limits import ConcurrencyLimit, check_max_concurrency
from fastrapi.exceptions import FastAPIDeprecationWarning

Undefined: Any = PydanticUndefined
"""pydantic's "no value": the default of a required parameter (``fastapi.params.Undefined``)."""
Unset: Any = PydanticUndefined
"""The default of a marker argument that was not given: it is left out of the ``FieldInfo``, as pydantic does."""
_Unset = Unset


class ParamTypes(Enum):
    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


def _field_kwargs(
    default: Any, default_factory: Any, alias: Any, validation_alias: Any, serialization_alias: Any,
    pattern: Any, regex: Any, example: Any, given: dict[str, Any],
) -> dict[str, Any]:
    """FastAPI's mapping of a marker's arguments onto ``FieldInfo``: ``...`` means required,
    ``alias`` also names validation and serialization, ``regex`` is the old ``pattern``."""
    if default is ...:
        default = PydanticUndefined
    if regex is not None:
        warnings.warn("`regex` has been deprecated, please use `pattern` instead", FastAPIDeprecationWarning,
                      stacklevel=4)
    if example is not _Unset:
        warnings.warn("`example` has been deprecated, please use `examples` instead", FastAPIDeprecationWarning,
                      stacklevel=4)
    if serialization_alias in (_Unset, None) and isinstance(alias, str):
        serialization_alias = alias
    if validation_alias in (_Unset, None):
        validation_alias = alias
    kwargs = {"default": default, "default_factory": default_factory, "alias": alias,
              "validation_alias": validation_alias, "serialization_alias": serialization_alias,
              "pattern": pattern or regex, **given}
    return {k: v for k, v in kwargs.items() if v is not _Unset and not (v is None and k != "default")}


# pydantic marks FieldInfo @final for type checkers; FastAPI subclasses it all the same, and so do we.
class _Marker(FieldInfo):  # type: ignore[misc]
    """FastAPI's marker arguments on top of pydantic's ``FieldInfo``."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        default_factory: Callable[[], Any] | None = _Unset,
        annotation: Any | None = None,
        alias: str | None = _Unset,
        alias_priority: int | None = _Unset,
        validation_alias: Any = _Unset,
        serialization_alias: str | None = _Unset,
        title: str | None = _Unset,
        description: str | None = _Unset,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        regex: str | None = None,
        discriminator: Any = _Unset,
        strict: bool | None = _Unset,
        validate_default: bool | None = _Unset,
        union_mode: Any = _Unset,
        fail_fast: bool | None = _Unset,
        multiple_of: float | None = _Unset,
        allow_inf_nan: bool | None = _Unset,
        max_digits: int | None = _Unset,
        decimal_places: int | None = _Unset,
        examples: list[Any] | None = _Unset,
        example: Any = _Unset,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: Any = _Unset,
        include_in_schema: bool = True,
        json_schema_extra: Any = _Unset,
    ) -> None:
        self.example = example
        self.include_in_schema = include_in_schema
        self.openapi_examples = openapi_examples
        given = dict(
            annotation=annotation, alias_priority=alias_priority, title=title, description=description,
            gt=gt, ge=ge, lt=lt, le=le, min_length=min_length, max_length=max_length,
            discriminator=discriminator, strict=strict, validate_default=validate_default, union_mode=union_mode,
            fail_fast=fail_fast, multiple_of=multiple_of, allow_inf_nan=allow_inf_nan, max_digits=max_digits,
            decimal_places=decimal_places, examples=examples, deprecated=deprecated,
            json_schema_extra=json_schema_extra,
        )
        super().__init__(**_field_kwargs(default, default_factory, alias, validation_alias, serialization_alias,
                                         pattern, regex, example, given))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default})"


class Param(_Marker):  # type: ignore[misc]
    """Base of the path, query, header and cookie markers."""

    in_: ParamTypes = ParamTypes.query


class Path(Param):  # type: ignore[misc]
    """A path parameter; always required."""

    in_ = ParamTypes.path

    def __init__(self, default: Any = ..., **kwargs: Any) -> None:
        assert default is ..., "Path parameters cannot have a default value"
        super().__init__(default, **kwargs)


class Query(Param):  # type: ignore[misc]
    """A query-string parameter (``?q=...``); lists read every repeated key."""

    in_ = ParamTypes.query


class Header(Param):  # type: ignore[misc]
    """A request header; ``user_agent`` reads ``User-Agent`` unless ``convert_underscores=False``."""

    in_ = ParamTypes.header

    def __init__(self, default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any) -> None:
        self.convert_underscores = convert_underscores
        super().__init__(default, **kwargs)


class Cookie(Param):  # type: ignore[misc]
    """A cookie of the ``Cookie`` header."""

    in_ = ParamTypes.cookie


class Body(_Marker):  # type: ignore[misc]
    """A value of the JSON request body; ``embed=True`` reads it under its name in a body object."""

    def __init__(self, default: Any = PydanticUndefined, *, embed: bool | None = None,
                 media_type: str = "application/json", **kwargs: Any) -> None:
        self.embed = embed
        self.media_type = media_type
        super().__init__(default, **kwargs)


class Form(Body):  # type: ignore[misc]
    """A field of a form body (``application/x-www-form-urlencoded`` or ``multipart/form-data``)."""

    def __init__(self, default: Any = PydanticUndefined, *, media_type: str = "application/x-www-form-urlencoded",
                 **kwargs: Any) -> None:
        super().__init__(default, media_type=media_type, **kwargs)


class File(Form):  # type: ignore[misc]
    """A file of a ``multipart/form-data`` body, as ``bytes`` or ``UploadFile``."""

    def __init__(self, default: Any = PydanticUndefined, *, media_type: str = "multipart/form-data",
                 **kwargs: Any) -> None:
        super().__init__(default, media_type=media_type, **kwargs)


@dataclass(frozen=True, init=False, repr=False, eq=False, slots=True)
class Depends:
    """Marks a parameter whose value is the result of calling ``dependency``.

    ``Depends(f)`` calls ``f`` once per request (``use_cache=False``: at every use) with the
    parameters it declares, as an endpoint gets them. ``Depends()`` inside ``Annotated[Cls, ...]``
    (or as the default of ``x: Cls``) calls ``Cls``. A dependency with ``yield`` runs its exit
    code after the response is sent (``scope="request"``, the default) or right after the
    endpoint returns (``scope="function"``). ``max_concurrency=N``: at most N calls through this
    declaration run at once, across all requests; the others wait for a free slot.
    """

    dependency: Callable[..., Any] | None
    use_cache: bool
    scope: Literal["function", "request"] | None
    max_concurrency: int | None
    # Compared by identity: two declarations with the same arguments have two limits, and are
    # unequal, so that ``Annotated``'s cache cannot hand one's metadata to the other.
    _concurrency: ConcurrencyLimit | None

    def __init__(self, dependency: Callable[..., Any] | None = None, *, use_cache: bool = True,
                 scope: Literal["function", "request"] | None = None, max_concurrency: int | None = None,
                 _concurrency: ConcurrencyLimit | None = None) -> None:
        if scope not in (None, "function", "request"):
            raise ValueError(f'scope must be "function", "request" or None, not {scope!r}')
        check_max_concurrency(max_concurrency)
        if max_concurrency is None:
            _concurrency = None
        elif _concurrency is None or _concurrency.max_concurrency != max_concurrency:
            # A copy (``dataclasses.replace``) keeps the limit it was made from only if N is unchanged.
            _concurrency = ConcurrencyLimit(max_concurrency)
        setattr_ = object.__setattr__
        setattr_(self, "dependency", dependency)
        setattr_(self, "use_cache", use_cache)
        setattr_(self, "scope", scope)
        setattr_(self, "max_concurrency", max_concurrency)
        setattr_(self, "_concurrency", _concurrency)

    def with_dependency(self, dependency: Callable[..., Any]) -> Depends:
        """A copy calling ``dependency`` (for ``Depends()`` filled from the annotation), sharing the limit."""
        return replace(self, dependency=dependency)

    def _key(self) -> tuple[Any, ...]:
        return type(self), self.dependency, self.use_cache, self.scope, self._concurrency

    # Equal and hashable by value, as FastAPI's frozen dataclass (tools keep markers in sets and dicts).
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Depends) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        cache = "" if self.use_cache else ", use_cache=False"
        limit = "" if self.max_concurrency is None else f", max_concurrency={self.max_concurrency}"
        return f"{type(self).__name__}({name}{cache}{limit})"


@dataclass(frozen=True, init=False, repr=False, eq=False, slots=True)
class Security(Depends):
    """``Depends`` that also asks for OAuth2 ``scopes``; a ``SecurityScopes`` parameter of the
    dependency (or of its sub-dependencies) receives them, added to those its dependants ask for."""

    scopes: list[str]

    def __init__(self, dependency: Callable[..., Any] | None = None, *, scopes: Sequence[str] | None = None,
                 use_cache: bool = True, **more: Any) -> None:
        # ``more``: the fields ``dataclasses.replace`` passes on (scope, max_concurrency), as FastAPI's class takes.
        # Not super(): a slots dataclass is a new class, which the zero-argument form does not know.
        Depends.__init__(self, dependency, use_cache=use_cache, **more)
        object.__setattr__(self, "scopes", list(scopes or []))

    def _key(self) -> tuple[Any, ...]:
        return (*Depends._key(self), tuple(self.scopes))


__all__ = [
    "Body", "Cookie", "Depends", "File", "Form", "Header", "Param", "ParamTypes", "Path", "Query", "Security",
    "Undefined", "Unset",
]
