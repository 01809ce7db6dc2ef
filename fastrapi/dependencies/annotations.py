"""What an annotation is, as FastAPI's parameter rules ask it: a sequence, a complex value, a model, a file."""

from __future__ import annotations

import collections
import dataclasses
import functools
import types
import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from fastrapi.datastructures import UploadFile

_SEQUENCE_TYPES = (list, set, tuple, frozenset, collections.deque, Sequence)


def _subclass(cls: Any, bases: Any) -> bool:
    return isinstance(cls, type) and not isinstance(cls, types.GenericAlias) and issubclass(cls, bases)


def _union_args(annotation: Any) -> tuple[Any, ...] | None:
    return get_args(annotation) if get_origin(annotation) in (typing.Union, types.UnionType) else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return native_class(annotation)


def native_class(annotation: Any) -> Any:
    """fastrapi's class for one of Starlette's a parameter is annotated with, else ``annotation``."""
    if isinstance(annotation, type) and annotation.__module__.startswith("starlette."):
        return _starlette_twins().get((annotation.__module__, annotation.__qualname__), annotation)
    return annotation


@functools.cache
def _starlette_twins() -> dict[tuple[str, str], type]:
    """Starlette's classes that FastAPI code annotates with (``from starlette.requests import Request``), and
    fastrapi's class that stands for each: the parameter gets fastrapi's object."""
    from fastrapi.background import BackgroundTasks
    from fastrapi.requests import HTTPConnection, Request
    from fastrapi.responses import Response
    from fastrapi.websockets import WebSocket

    return {("starlette.requests", "Request"): Request, ("starlette.requests", "HTTPConnection"): HTTPConnection,
            ("starlette.websockets", "WebSocket"): WebSocket, ("starlette.responses", "Response"): Response,
            ("starlette.background", "BackgroundTasks"): BackgroundTasks}


def is_sequence(annotation: Any) -> bool:
    """A list/set/tuple/... type (str and bytes are not), also inside Optional/Union/Annotated."""
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    if args is not None:
        return any(is_sequence(a) for a in args)
    for candidate in (annotation, get_origin(annotation)):
        if not _subclass(candidate, (str, bytes)) and _subclass(candidate, _SEQUENCE_TYPES):
            return True
    return False


def _is_complex_class(cls: Any) -> bool:
    return (_subclass(cls, (BaseModel, Mapping, UploadFile)) or is_sequence(cls)
            or (dataclasses.is_dataclass(cls) and isinstance(cls, type)))


def is_complex(annotation: Any) -> bool:
    """FastAPI's rule: models, mappings, sequences, dataclasses and uploads are not scalars."""
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    if args is not None:
        return any(is_complex(a) for a in args)
    origin = get_origin(annotation)
    return (_is_complex_class(annotation) or _is_complex_class(origin)
            or hasattr(origin, "__pydantic_core_schema__") or hasattr(origin, "__get_pydantic_core_schema__"))


def _is_scalar_sequence(annotation: Any) -> bool:
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    if args is not None:
        found = False
        for arg in args:
            if _is_scalar_sequence(arg):
                found = True
            elif is_complex(arg):
                return False
        return found
    return is_sequence(annotation) and all(a is Ellipsis or not is_complex(a) for a in get_args(annotation))


def _matches(annotation: Any, cls: type) -> bool:
    """``cls`` or ``cls | None``."""
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    return any(_subclass(a, cls) for a in args) if args is not None else _subclass(annotation, cls)


def _sequence_of(annotation: Any, cls: type) -> bool:
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    if args is not None:
        return any(_sequence_of(a, cls) for a in args)
    return is_sequence(annotation) and all(_matches(a, cls) for a in get_args(annotation))


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of ``Model`` or ``Model | None``."""
    annotation = _unwrap(annotation)
    args = _union_args(annotation)
    if args is not None and len(args) == 2 and type(None) in args:
        annotation = next(a for a in args if a is not type(None))
    return annotation if _subclass(annotation, BaseModel) else None


def _file_bytes(annotation: Any) -> int:
    if _matches(annotation, bytes):
        return 1
    return 2 if _sequence_of(annotation, bytes) else 0


# -- signatures -------------------------------------------------------------------------------


@functools.cache
def _pydantic_v1_base() -> type | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pydantic import v1
    except ImportError:  # pragma: no cover - a pydantic without the v1 shim
        return None
    return v1.BaseModel


def is_pydantic_v1(annotation: Any) -> bool:
    """A ``pydantic.v1`` model, or one in a union or as a sequence's item (FastAPI refuses those)."""
    base = _pydantic_v1_base()
    if base is None:
        return False
    annotation = _unwrap(annotation)
    if _subclass(annotation, base):
        return True
    args = _union_args(annotation)
    if args is not None:
        return any(is_pydantic_v1(a) for a in args)
    return is_sequence(annotation) and any(is_pydantic_v1(a) for a in get_args(annotation))
