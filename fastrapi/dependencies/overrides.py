"""``app.dependency_overrides``: a dict that knows when it changed, so plans are made again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import Self


class DependencyOverrides(dict[Callable[..., Any], Callable[..., Any]]):
    """A plain dict of ``{dependency: replacement}``; every change gives it a new ``version``
    (an object compared by identity), which routes compare with the one their plan was made for."""

    version: object

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = object()

    def _changed(self) -> None:
        self.version = object()

    def __setitem__(self, key: Callable[..., Any], value: Callable[..., Any]) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: Callable[..., Any]) -> None:
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]  # as typeshed's dict: |= takes more than |
        super().__ior__(other)
        self._changed()
        return self

    def clear(self) -> None:
        super().clear()
        self._changed()

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        self._changed()
        return super().popitem()

    def setdefault(self, key: Callable[..., Any], default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()
