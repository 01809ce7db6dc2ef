"""Reading one raw value from a request location, FastAPI's way (``_get_multidict_value``).

A reader takes the location's source (path params dict, ``QueryParams``, ``Headers``, cookies dict or
``FormData``) and a request key, and gives the raw value or ``ABSENT`` (the default applies): no value,
an empty list, and in a form an empty string or an empty file. The analysis picks one reader per
parameter when the route is added, so a request makes one plain call per parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastrapi.datastructures import UploadFile

ABSENT: Any = object()
Reader = Callable[[Any, str], Any]


def split_header_list(values: list[str]) -> list[str]:
    """The elements of list-valued header lines: a server joins repeated lines with commas
    (RFC 9110 §5.3), so split on commas outside quoted strings; empty elements are dropped."""
    items: list[str] = []
    for value in values:
        if "," not in value:
            items.append(value.strip(" \t"))
            continue
        start, quoted, escaped = 0, False, False
        for index, char in enumerate(value):
            if escaped:
                escaped = False
            elif char == "\\" and quoted:
                escaped = True
            elif char == '"':
                quoted = not quoted
            elif char == "," and not quoted:
                items.append(value[start:index].strip(" \t"))
                start = index + 1
        items.append(value[start:].strip(" \t"))
    return [item for item in items if item]


def is_empty_file(value: Any) -> bool:
    # Browsers send a part with an empty filename and no content when no file is chosen.
    return isinstance(value, UploadFile) and value.filename == "" and value.size == 0


def read_one(source: Any, key: str) -> Any:
    value = source.get(key)
    return ABSENT if value is None else value


def read_one_sequence(source: Any, key: str) -> Any:
    # A dict source (path, cookies) has one value per key, even for a list-typed parameter.
    value = source.get(key)
    return ABSENT if value is None or len(value) == 0 else value


def read_all(source: Any, key: str) -> Any:
    values = source.getlist(key)
    return values if values else ABSENT


def read_header_list(source: Any, key: str) -> Any:
    values = split_header_list(source.getlist(key))
    return values if values else ABSENT


def read_form_one(source: Any, key: str) -> Any:
    value = source.get(key)
    return ABSENT if value is None or value == "" or is_empty_file(value) else value


def read_form_all(source: Any, key: str) -> Any:
    values = [v for v in source.getlist(key) if not is_empty_file(v)]
    return values if values else ABSENT


def reader_for(location: str, sequence: bool) -> Reader:
    """The reader of a parameter of ``location``; ``sequence`` for list/set/tuple types."""
    if location == "body":
        return read_form_all if sequence else read_form_one
    if not sequence:
        return read_one
    if location == "header":
        return read_header_list
    return read_all if location == "query" else read_one_sequence
