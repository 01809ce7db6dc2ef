"""Endpoint return values into response bodies: the JSON fast path and response models."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fastrapi.dependencies.annotations import is_pydantic_v1
from fastrapi.encoders import json_default, jsonable_encoder
from fastrapi.exceptions import FastrAPIError, ResponseValidationError, pydantic_v1_not_supported
from fastrapi.responses import Response


def _make_encode() -> Callable[[Any], str]:
    """``json.dumps`` with FastAPI's JSONResponse options, made once.

    PERF: ``JSONEncoder.encode`` builds a new C encoder on every call (~0.6 µs of a ~3 µs hello);
    this builds it once. No circular-reference check (its memo would be shared between threads):
    a cyclic value fails with RecursionError instead of ValueError, a 500 either way.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no _json accelerator (another Python implementation)
        return json.JSONEncoder(
            ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"), default=json_default
        ).encode
    chunks = make(None, json_default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    join = "".join
    return lambda value: join(chunks(value, 0))


_encode = _make_encode()


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


def response_adapter(model: Any) -> TypeAdapter[Any]:
    """A ``TypeAdapter`` for a response model; ``FastrAPIError`` (when the route is added) for a type pydantic
    cannot validate, with FastAPI's hint."""
    if is_pydantic_v1(model):
        raise pydantic_v1_not_supported(model)
    try:
        return TypeAdapter(model)
    except Exception as exc:
        raise FastrAPIError(
            f"Invalid args for response field! {model!r} is not a valid Pydantic field type. A return "
            "annotation that is not one (e.g. Response | dict | None) can be kept out of the response model "
            "with the path operation decorator parameter response_model=None: "
            "https://fastapi.tiangolo.com/tutorial/response-model/") from exc


class ResponseSerializer:
    """Validates a return value through the route's response model and encodes it once.

    As FastAPI (0.12x+): the value is validated as returned (``from_attributes``, so a ``UserIn``
    returned for ``UserOut`` keeps only ``UserOut``'s fields), then dumped with the
    ``response_model_*`` options; JSON goes straight to bytes with the adapter's ``dump_json``.
    """

    __slots__ = ("adapter", "options")

    def __init__(self, model: Any, *, include: Any = None, exclude: Any = None, by_alias: bool = True,
                 exclude_unset: bool = False, exclude_defaults: bool = False, exclude_none: bool = False) -> None:
        self.adapter: TypeAdapter[Any] = response_adapter(model)
        self.options = {"include": include, "exclude": exclude, "by_alias": by_alias,
                        "exclude_unset": exclude_unset, "exclude_defaults": exclude_defaults,
                        "exclude_none": exclude_none}

    def validate(self, value: Any) -> Any:
        """The value as the response model; raises ``ResponseValidationError`` (a 500)."""
        try:
            return self.adapter.validate_python(value, from_attributes=True)
        except ValidationError as exc:
            errors = [
                {"type": e["type"], "loc": ("response", *e["loc"]), "msg": e["msg"], "input": e["input"],
                 **({"ctx": e["ctx"]} if "ctx" in e else {})}
                for e in exc.errors(include_url=False)
            ]
            raise ResponseValidationError(errors, body=value) from None

    def to_json(self, value: Any) -> bytes:
        """JSON bytes of the validated value (FastAPI's body for its default response class)."""
        return self.adapter.dump_json(self.validate(value), **self.options)

    def to_jsonable(self, value: Any) -> Any:
        """Plain JSON-able data of the validated value, for other response classes."""
        return self.adapter.dump_python(self.validate(value), mode="json", **self.options)
