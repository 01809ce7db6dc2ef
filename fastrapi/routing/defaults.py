"""``Default(...)``: a value nobody chose, which an explicit setting further out overrides."""

from __future__ import annotations

from typing import Any

from fastrapi.responses import JSONResponse


class DefaultPlaceholder:
    """A value nobody chose: an explicit setting further out wins over it (FastAPI's ``Default``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Default({self.value!r})"


def Default(value: Any) -> Any:
    """Mark ``value`` as a default, so that a chosen value in an enclosing router wins."""
    return DefaultPlaceholder(value)


def value_or_default(first: Any, *others: Any) -> Any:
    """The first value that is not a ``Default(...)``; else ``first`` (a placeholder)."""
    if not isinstance(first, DefaultPlaceholder):
        return first
    for item in others:
        if not isinstance(item, DefaultPlaceholder):
            return item
    return first


DEFAULT_RESPONSE_CLASS = DefaultPlaceholder(JSONResponse)


def resolved(value: Any) -> Any:
    """``value``, or the value a ``Default(...)`` holds."""
    return value.value if isinstance(value, DefaultPlaceholder) else value
