"""Form parameters typed as a union of models (``Annotated[A | B | None, Form()]``), FastAPI 0.165's way.

A form is flat, so every branch of the union reads its own fields from the whole form: the
parameter's raw value is every form entry (repeated keys as lists, empty values kept), and each
branch normalizes that dict to its fields the way a single form model reads them (an empty
string or file is "not sent", a list field takes every value, a scalar the last), plus the keys it
has no field for, for its ``extra`` setting. The normalizer is a ``BeforeValidator`` on each branch,
so pydantic picks the branch (smart mode, ``union_mode`` or a discriminator read from the raw
form) and reports errors under the branch's tag: the discriminator value, the branch's own
``Tag`` or the model's name.

Everything here is built once, when the route is added.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, Tag

from fastrapi.dependencies.annotations import _subclass, _union_args
from fastrapi.dependencies.extractors import ABSENT, is_empty_file


def union_models(annotation: Any) -> tuple[type[BaseModel], ...]:
    """The models of a union of two or more models (``None`` and ``Annotated`` members allowed), else ()."""
    args = _union_args(annotation)
    if args is None:
        return ()
    models = []
    for arg in args:
        if arg is type(None):
            continue
        if get_origin(arg) is Annotated:
            arg = get_args(arg)[0]
        if not _subclass(arg, BaseModel):
            return ()
        models.append(arg)
    return tuple(models) if len(models) > 1 else ()  # ``Model | None`` is a single form model


@dataclass(frozen=True, slots=True)
class BranchField:
    """One field of a branch: the names it is sent under, in order of preference, and its shape."""

    names: tuple[str, ...]
    is_sequence: bool


def _pick(value: Any, is_sequence: bool) -> Any:
    """One field's value from a raw form entry (a value or a list of them), as a form reads it."""
    if is_sequence:
        items = value if isinstance(value, list) else [value]
        items = [item for item in items if not is_empty_file(item)]
        return items if items else ABSENT
    if isinstance(value, list):
        value = value[-1] if value else None
    return ABSENT if value is None or value == "" or is_empty_file(value) else value


class Branch:
    """The ``BeforeValidator`` of one branch: the raw form entries → that model's input dict."""

    __slots__ = ("fields",)

    def __init__(self, fields: tuple[BranchField, ...]) -> None:
        self.fields = fields

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, dict):  # a default, or what an outer validator made of the form
            return value
        result: dict[str, Any] = {}
        seen: set[str] = set()
        for field in self.fields:
            for name in field.names:
                seen.add(name)
                if name in value:
                    item = _pick(value[name], field.is_sequence)
                    if item is not ABSENT:
                        result[name] = item
                        break  # a later name, also sent, is left to the model's ``extra``
        for key, item in value.items():
            if key not in seen:
                result[key] = item[0] if isinstance(item, list) and len(item) == 1 else item
        for key, item in value.items():
            # No browser sends these, but an outer validator can put them there on purpose.
            if item is None or (isinstance(item, list) and not item):
                result[key] = item
        return result


@dataclass(frozen=True, slots=True)
class FormUnion:
    """A form parameter typed as a union of models."""

    models: tuple[type[BaseModel], ...]
    own_names: frozenset[str]  # every name any branch's fields are sent under
    keeps_extra: bool  # some branch has extra="allow"/"forbid": any form entry is for it
    optional: bool  # ``None`` is one of the choices: absent when no entry is for a branch

    def read(self, source: Any, key: str) -> Any:
        """The parameter's raw value: every entry of the form ``source``, or ``ABSENT``."""
        if self.optional and not ((self.keeps_extra and len(source)) or not self.own_names.isdisjoint(source)):
            return ABSENT
        grouped: dict[str, list[Any]] = {}
        for name, value in source.multi_items():
            grouped.setdefault(name, []).append(value)
        return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


def form_union(annotation: Any, branches: dict[type[BaseModel], tuple[BranchField, ...]]) -> tuple[FormUnion, Any]:
    """The ``FormUnion`` of ``annotation`` (a union of the models in ``branches``) and the annotation
    it is validated as: each branch behind its normalizer and tagged (its own ``Tag``, else the
    model's name, as errors report it)."""
    choices: list[Any] = []
    for choice in get_args(annotation):
        if choice is type(None):
            choices.append(choice)
            continue
        model, *metadata = get_args(choice) if get_origin(choice) is Annotated else (choice,)
        tag = next((item for item in reversed(metadata) if isinstance(item, Tag)), Tag(model.__name__))
        validator = BeforeValidator(Branch(branches[model]).normalize)
        choices.append(Annotated[choice, validator, tag])
    models = tuple(branches)
    union = FormUnion(
        models=models,
        own_names=frozenset(name for fields in branches.values() for field in fields for name in field.names),
        keeps_extra=any(m.model_config.get("extra") in ("allow", "forbid") for m in models),
        optional=type(None) in choices,
    )
    return union, typing.Union[tuple(choices)]  # noqa: UP007 - built at runtime from a tuple
