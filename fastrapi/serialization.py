"""Endpoint return values into response bodies: the JSON fast path and response models."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from fastrapi.encoders import json_default, jsonable_encoder
from fastrapi.exceptions import FastrAPIError, ResponseValidationError
from fastrapi.responses import Response

_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"), default=json_default
).encode


def dumps(value: Any) -> bytes:
    """JSON bytes equal to FastAPI's ``JSONResponse(jsonable_encoder(value)).body``."""
    try:
        return _encode(value).encode("utf-8")
    except TypeError:
        # Dict keys json cannot write (Enum, UUID, date...): the full encoder converts them.
        return _encode(jsonable_encoder(value)).encode("utf-8")


class _Unset:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Unset()
"""Marks an argument the caller did not give (``response_model`` is inferred then)."""


def infer_response_model(endpoint: Callable[..., Any], response_model: Any) -> Any:
    """FastAPI's rule: without ``response_model=``, the return annotation is the model."""
    if response_model is not DEFAULT:
        return response_model
    try:
        annotation = inspect.signature(endpoint, eval_str=True).return_annotation
    except (NameError, TypeError, ValueError):
        return None
    if annotation is inspect.Signature.empty or annotation is None:
        return None
    if inspect.isclass(annotation) and issubclass(annotation, Response):
        return None
    return annotation


def _prepare(value: Any, exclude_unset: bool, exclude_defaults: bool, exclude_none: bool) -> Any:
    """Models returned by the endpoint become plain data first, so another model can filter them."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, exclude_unset=exclude_unset, exclude_defaults=exclude_defaults,
                                exclude_none=exclude_none)
    if isinstance(value, list):
        return [_prepare(v, exclude_unset, exclude_defaults, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: _prepare(v, exclude_unset, exclude_defaults, exclude_none) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


class ResponseSerializer:
    """Validates a return value through the route's response model and encodes it once."""

    __slots__ = ("adapter", "include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none")

    def __init__(self, model: Any, *, include: Any = None, exclude: Any = None, by_alias: bool = True,
                 exclude_unset: bool = False, exclude_defaults: bool = False, exclude_none: bool = False) -> None:
        try:
            self.adapter: TypeAdapter[Any] = TypeAdapter(model)
        except Exception as exc:
            raise FastrAPIError(f"Invalid args for response field! {model!r} is not a valid pydantic type") from exc
        self.include = include
        self.exclude = exclude
        self.by_alias = by_alias
        self.exclude_unset = exclude_unset
        self.exclude_defaults = exclude_defaults
        self.exclude_none = exclude_none

    def to_jsonable(self, value: Any) -> Any:
        prepared = _prepare(value, self.exclude_unset, self.exclude_defaults, self.exclude_none)
        try:
            validated = self.adapter.validate_python(prepared, from_attributes=True)
        except ValidationError as exc:
            errors = [
                {"type": e["type"], "loc": ("response", *e["loc"]), "msg": e["msg"], "input": e["input"],
                 **({"ctx": e["ctx"]} if "ctx" in e else {})}
                for e in exc.errors(include_url=False)
            ]
            raise ResponseValidationError(errors, body=value) from None
        return self.adapter.dump_python(
            validated, mode="json", include=self.include, exclude=self.exclude, by_alias=self.by_alias,
            exclude_unset=self.exclude_unset, exclude_defaults=self.exclude_defaults, exclude_none=self.exclude_none,
        )
