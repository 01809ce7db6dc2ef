"""Path templates: ``/items/{item_id:int}`` compiled to a regex, its converters and URL building."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


class NoMatchFound(Exception):
    """``url_path_for`` found no route with that name and those parameters."""

    def __init__(self, name: str, path_params: dict[str, Any]) -> None:
        params = ", ".join(path_params)
        super().__init__(f'No route exists for name "{name}" and params "{params}".')


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter looks in a URL and what value it becomes."""

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str]


def _float_to_string(value: float) -> str:
    text = f"{value:0.20f}".rstrip("0")
    return text.rstrip(".")


CONVERTERS: dict[str, Converter] = {
    "str": Converter("[^/]+", str, str),
    "path": Converter(".*", str, str),
    "int": Converter("[0-9]+", int, lambda v: str(int(v))),
    "float": Converter(r"[0-9]+(?:\.[0-9]+)?", float, _float_to_string),
    "uuid": Converter("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                      uuid.UUID, str),
}

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


@dataclass(slots=True)
class PathTemplate:
    """A compiled path such as ``/items/{item_id:int}``."""

    path: str
    regex: re.Pattern[str]
    pattern: str  # the regex source with unnamed groups, for the combined matcher
    format: str
    params: list[tuple[str, Converter]]

    @property
    def is_static(self) -> bool:
        return not self.params

    def match(self, path: str) -> dict[str, Any] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        return self.convert(m.groups())

    def convert(self, groups: Sequence[str]) -> dict[str, Any]:
        return {name: conv.convert(value) for (name, conv), value in zip(self.params, groups)}

    def url_path(self, path_params: dict[str, Any]) -> str:
        return self.format.format(**{name: conv.to_string(path_params[name]) for name, conv in self.params})


def compile_path(path: str) -> PathTemplate:
    """Parse ``{name}`` and ``{name:converter}`` placeholders."""
    pattern, fmt, params, seen = "", "", [], set()
    index = 0
    for m in _PARAM.finditer(path):
        name, conv_name = m.group(1), m.group(2) or "str"
        if conv_name not in CONVERTERS:
            raise ValueError(f"Unknown path converter '{conv_name}'")
        if name in seen:
            raise ValueError(f"Duplicated param name {name} at path {path}")
        seen.add(name)
        converter = CONVERTERS[conv_name]
        literal = path[index:m.start()]
        pattern += re.escape(literal) + f"({converter.regex})"
        fmt += literal.replace("{", "{{").replace("}", "}}") + "{" + name + "}"
        params.append((name, converter))
        index = m.end()
    tail = path[index:]
    pattern += re.escape(tail)
    fmt += tail.replace("{", "{{").replace("}", "}}")
    return PathTemplate(path, re.compile(pattern), pattern, fmt, params)
