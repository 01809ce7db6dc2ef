"""Conversion of arbitrary Python objects into JSON-compatible data.

``jsonable_encoder`` applies the same rules, in the same order, as FastAPI's
encoder of the same name, so its results are interchangeable with FastAPI's.
``json_default`` applies those rules to a single object and is meant to be
passed as ``default=`` to ``json.dumps`` to skip building an intermediate tree.
"""

import dataclasses
import datetime
import functools
import sys
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import Path, PurePath
from re import Pattern
from types import GeneratorType
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from pydantic.main import IncEx
from pydantic.networks import AnyUrl, NameEmail
from pydantic.types import SecretBytes, SecretStr
from pydantic_core import PydanticUndefinedType, Url

from fastrapi.exceptions import PydanticV1NotSupportedError

__all__ = [
    "ENCODERS_BY_TYPE",
    "PydanticV1NotSupportedError",
    "decimal_encoder",
    "json_default",
    "jsonable_encoder",
]

Encoder = Callable[[Any], Any]


def _optional_color_types() -> tuple[type, ...]:
    """Return the colour classes that are importable in this environment."""
    found: list[type] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from pydantic.color import Color
        except ImportError:  # pragma: no cover - depends on the pydantic build
            pass
        else:
            found.append(Color)
    try:
        from pydantic_extra_types.color import Color as ExtraColor
    except ImportError:
        pass
    else:  # pragma: no cover - optional dependency
        found.append(ExtraColor)
    return tuple(found)


def _decode_bytes(value: bytes) -> str:
    return value.decode()


def _isoformat(value: datetime.date | datetime.time) -> str:
    return value.isoformat()


def _total_seconds(value: datetime.timedelta) -> float:
    return value.total_seconds()


def decimal_encoder(value: Decimal) -> int | float:
    """Encode a Decimal as int when it has no fractional exponent, else float.

    ``Decimal("3")`` becomes ``3`` while ``Decimal("3.0")`` becomes ``3.0``, so
    integral database numerics round-trip as integers.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def _enum_value(value: Enum) -> Any:
    return value.value


def _pattern_source(value: Pattern[Any]) -> Any:
    return value.pattern


# Encoders for leaf types, grouped by encoder.  Group order matters for
# instances of subclasses: the first group whose classes match wins.
_ENCODER_GROUPS: tuple[tuple[tuple[type, ...], Encoder], ...] = (
    ((bytes,), _decode_bytes),
    (
        (
            *_optional_color_types(),
            IPv4Address,
            IPv4Interface,
            IPv4Network,
            IPv6Address,
            IPv6Interface,
            IPv6Network,
            NameEmail,
            Path,
            SecretBytes,
            SecretStr,
            UUID,
            Url,
            AnyUrl,
        ),
        str,
    ),
    ((datetime.date, datetime.datetime, datetime.time), _isoformat),
    ((datetime.timedelta,), _total_seconds),
    ((Decimal,), decimal_encoder),
    ((Enum,), _enum_value),
    ((frozenset, deque, GeneratorType, set), list),
    ((Pattern,), _pattern_source),
)

#: Exact-type lookup table.  Entries added at runtime are honoured for objects
#: of exactly that type (subclass matching only covers the built-in groups).
ENCODERS_BY_TYPE: dict[type, Encoder] = {
    cls: encoder for classes, encoder in _ENCODER_GROUPS for cls in classes
}

_CONTAINER_TYPES = (list, set, frozenset, GeneratorType, tuple, deque)
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})

# Snapshot used by json_default: leaf types only, since containers must be
# walked by jsonable_encoder so their contents follow every rule.
_LEAF_ENCODERS: Mapping[type, Encoder] = {
    cls: encoder for cls, encoder in ENCODERS_BY_TYPE.items() if encoder is not list
}


@functools.cache
def _pydantic_v1_model_class() -> type | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pydantic import v1
    except ImportError:  # pragma: no cover - pydantic without the v1 shim
        return None
    return v1.BaseModel


def _find_custom_encoder(
    obj: Any, custom_encoder: Mapping[Any, Encoder]
) -> Encoder | None:
    """Look ``obj`` up by exact type first, then by isinstance in dict order."""
    encoder = custom_encoder.get(type(obj))
    if encoder is not None:
        return encoder
    for cls, candidate in custom_encoder.items():
        if isinstance(obj, cls):
            return candidate
    return None


def _encode_leaf(obj: Any) -> tuple[bool, Any]:
    """Apply the type table; return ``(found, encoded)``."""
    encoder = ENCODERS_BY_TYPE.get(type(obj))
    if encoder is not None:
        return True, encoder(obj)
    for classes, encoder in _ENCODER_GROUPS:
        if isinstance(obj, classes):
            return True, encoder(obj)
    return False, None


def _as_key_filter(keys: IncEx | None) -> IncEx | None:
    """Normalise an include/exclude argument the way pydantic expects it."""
    if keys is None or isinstance(keys, (set, dict)):
        return keys
    names: set[Any] = set(keys)  # names in another collection (a list, a non-dict Mapping): pydantic wants a set
    return names


def _keep_item(key: Any, value: Any, exclude_none: bool, sqlalchemy_safe: bool) -> bool:
    if exclude_none and value is None:
        return False
    return not (sqlalchemy_safe and isinstance(key, str) and key.startswith("_sa"))


def _reencode_dump(
    data: Any, exclude_none: bool, exclude_defaults: bool, sqlalchemy_safe: bool
) -> Any:
    """Second pass over a ``model_dump(mode="json")`` result.

    The dump is already JSON-native, so only dict filtering can change it;
    anything unexpected is handed to ``jsonable_encoder`` with the same options.
    """
    kind = type(data)
    if kind in _JSON_SCALARS:
        return data
    if kind is list:
        return [
            _reencode_dump(item, exclude_none, exclude_defaults, sqlalchemy_safe)
            for item in data
        ]
    if kind is dict:
        return {
            (
                key
                if type(key) is str
                else jsonable_encoder(
                    key,
                    exclude_none=exclude_none,
                    exclude_defaults=exclude_defaults,
                    sqlalchemy_safe=sqlalchemy_safe,
                )
            ): _reencode_dump(value, exclude_none, exclude_defaults, sqlalchemy_safe)
            for key, value in data.items()
            if _keep_item(key, value, exclude_none, sqlalchemy_safe)
        }
    return jsonable_encoder(
        data,
        exclude_none=exclude_none,
        exclude_defaults=exclude_defaults,
        sqlalchemy_safe=sqlalchemy_safe,
    )


def _fallback_mapping(obj: Any) -> Any:
    """Turn an unknown object into a dict via ``dict()`` or ``vars()``."""
    starlette_responses = sys.modules.get("starlette.responses")
    if starlette_responses is not None and isinstance(obj, starlette_responses.Response):
        raise ReturnedStarletteResponse(obj)  # a response, not data: never its attributes as JSON
    # Any error from the object's own __iter__/__getitem__ means "not a mapping".
    try:
        return dict(obj)
    except Exception as dict_error:
        try:
            return vars(obj)
        except Exception as vars_error:
            raise ValueError([dict_error, vars_error]) from vars_error


def jsonable_encoder(
    obj: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Encoder] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """Convert ``obj`` into data made of dicts, lists, str, int, float, bool and None.

    ``include``/``exclude``/``by_alias``/``exclude_unset``/``exclude_defaults``/
    ``exclude_none`` are passed to pydantic models; ``include``/``exclude`` also
    filter the top-level keys of dicts (and of dataclasses and list items).
    ``custom_encoder`` maps types to callables and takes precedence over every
    built-in rule.  With ``sqlalchemy_safe`` dict keys starting with ``_sa`` are
    dropped.  Enum members become their ``.value`` (not encoded further).

    Raises ``ValueError`` holding the list of errors from ``dict(obj)`` and
    ``vars(obj)`` when an object matches no rule.
    """
    if custom_encoder:
        encoder = _find_custom_encoder(obj, custom_encoder)
        if encoder is not None:
            return encoder(obj)
    if type(obj) in _JSON_SCALARS:
        return obj
    include = _as_key_filter(include)
    exclude = _as_key_filter(exclude)
    options: dict[str, Any] = {
        "by_alias": by_alias,
        "exclude_unset": exclude_unset,
        "exclude_defaults": exclude_defaults,
        "exclude_none": exclude_none,
        "custom_encoder": custom_encoder,
        "sqlalchemy_safe": sqlalchemy_safe,
    }
    if isinstance(obj, BaseModel):
        dumped = obj.model_dump(
            mode="json",
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
            exclude_defaults=exclude_defaults,
        )
        return _reencode_dump(dumped, exclude_none, exclude_defaults, sqlalchemy_safe)
    if dataclasses.is_dataclass(obj):
        if isinstance(obj, type):
            raise TypeError(
                f"Cannot encode the dataclass type {obj!r}, only its instances"
            )
        return jsonable_encoder(
            dataclasses.asdict(obj), include=include, exclude=exclude, **options
        )
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, (str, int, float)):
        return obj
    if isinstance(obj, PydanticUndefinedType):
        return None
    if isinstance(obj, dict):
        return _encode_dict(obj, include, exclude, options)
    if isinstance(obj, _CONTAINER_TYPES):
        return [
            jsonable_encoder(item, include=include, exclude=exclude, **options)
            for item in obj
        ]
    found, encoded = _encode_leaf(obj)
    if found:
        return encoded
    v1_model = _pydantic_v1_model_class()
    if v1_model is not None and isinstance(obj, v1_model):
        raise PydanticV1NotSupportedError(
            f"pydantic.v1 models cannot be encoded; migrate {obj!r} to pydantic v2."
        )
    data = _fallback_mapping(obj)
    return jsonable_encoder(data, include=include, exclude=exclude, **options)


def _encode_dict(
    obj: dict[Any, Any],
    include: IncEx | None,
    exclude: IncEx | None,
    options: dict[str, Any],
) -> dict[Any, Any]:
    """Encode keys and values; include/exclude only filter this level."""
    allowed: set[Any] | None = None
    if include is not None or exclude is not None:
        allowed = set(obj)
        if include is not None:
            allowed &= set(include)
        if exclude is not None:
            allowed -= set(exclude)
    exclude_none = options["exclude_none"]
    sqlalchemy_safe = options["sqlalchemy_safe"]
    encoded: dict[Any, Any] = {}
    for key, value in obj.items():
        if not _keep_item(key, value, exclude_none, sqlalchemy_safe):
            continue
        if allowed is not None and key not in allowed:
            continue
        encoded_key = jsonable_encoder(key, **options)
        encoded[encoded_key] = jsonable_encoder(value, **options)
    return encoded


def json_default(obj: Any) -> Any:
    """Encode one object that ``json.dumps`` cannot serialise natively.

    Use as ``json.dumps(value, default=json_default, ensure_ascii=False,
    allow_nan=False, separators=(",", ":"))``; the output equals
    ``json.dumps(jsonable_encoder(value), ...)`` (and so FastAPI's
    ``JSONResponse(jsonable_encoder(value))`` body) except where ``json``
    handles an object natively and never calls this hook:

    * dicts (and subclasses) given to ``json.dumps`` directly, or nested in
      lists/tuples/dicts: keys that are not str/int/float/bool/None (plain
      Enum members, UUID, datetime, Decimal, ...) raise ``TypeError`` where
      FastAPI encodes them, and keys starting with ``_sa`` are kept where
      FastAPI drops them.  Whatever this hook returns (for models,
      dataclasses, sets, deques, generators, other objects) is encoded in
      full, so dicts inside those do match.
    * str/int/float subclasses, including ``StrEnum``/``IntEnum`` members and
      other Enums mixing in those types, are written from their str/int/float
      content; FastAPI writes ``.value``.  The two only differ for an Enum
      whose ``__new__`` sets ``_value_`` to something else than that content.
    * where FastAPI returns a value unencoded (an Enum member's non-JSON
      ``.value`` such as a set, a bytes regex pattern, a custom encoder's
      result), its response fails; ``json`` passes that value back here.
    * circular references raise ``ValueError`` instead of ``RecursionError``.
    """
    encoder = _LEAF_ENCODERS.get(type(obj))
    if encoder is not None:
        return encoder(obj)
    return jsonable_encoder(obj)


class ReturnedStarletteResponse(Exception):
    """``json_default`` met a Starlette ``Response``: the endpoint returned one (not fastrapi's), which is
    answered as the response it is, not written as JSON."""

    def __init__(self, response: Any) -> None:
        super().__init__(response)
        self.response = response
