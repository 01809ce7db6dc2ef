"""The matcher: static paths in a dict, dynamic ones grouped by first segment, each group one regex."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

from fastrapi.routing.paths import PathTemplate
from fastrapi.types import Environ, StartResponse


class Matchable(Protocol):
    """What the matcher and the dispatcher need of a route (every ``Matchable`` is one)."""

    template: PathTemplate

    def matches_method(self, method: str) -> bool: ...

    def handle(self, environ: Environ, start_response: StartResponse,
               path_params: dict[str, Any]) -> Iterable[bytes]: ...


class TriedLast(Protocol):
    """A route tried only once every other route missed, for a path under its prefix (``frontend()``'s;
    its class sets ``tried_last = True``). The longest prefix wins."""

    specificity: int  # how long its prefix is: the most specific one that claims a path answers it

    def relative_path(self, path: str) -> str | None: ...  # None: not under its prefix

    def handle(self, environ: Environ, start_response: StartResponse,
               path_params: dict[str, Any]) -> Iterable[bytes]: ...


def is_tried_last(route: object) -> bool:
    return bool(getattr(route, "tried_last", False))


class _Alternation:
    """Dynamic routes tried in registration order by one compiled regex (Bottle's trick)."""

    __slots__ = ("regex", "owners")

    def __init__(self, routes: list[tuple[int, Matchable]]) -> None:
        parts = []
        self.owners: dict[int, tuple[int, Matchable]] = {}
        group = 1
        for index, route in routes:
            parts.append(f"({route.template.pattern})")
            self.owners[group] = (index, route)
            group += 1 + route.template.regex.groups
        self.regex = re.compile("|".join(parts))

    def first(self, path: str) -> tuple[int, Matchable, dict[str, Any]] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        outer = m.lastindex  # the outermost group that matched: one per route
        index, route = self.owners[outer]  # type: ignore[index]
        groups = m.groups()[outer:outer + route.template.regex.groups]  # type: ignore[operator]
        return index, route, route.template.convert(groups)


def _first_segment(path: str) -> str | None:
    """The first path segment when it is literal and complete (``items`` of ``/items/{id}``)."""
    literal = path.partition("{")[0]
    _, _, rest = literal.partition("/")
    segment, slash, _ = rest.partition("/")
    return segment if slash else None


def _request_segment(path: str) -> str | None:
    """A request path's first segment, if another segment follows it."""
    segment, slash, _ = path[1:].partition("/")
    return segment if slash else None


class Matcher:
    """Finds the route for (method, path) the way FastAPI does, without scanning every route.

    FastAPI tries routes in registration order: the first whose path and method match wins;
    failing that, the first whose path matches answers 405. Here a static path is one dict
    lookup (it is known at build time whether an earlier dynamic route shadows it), and dynamic
    routes are grouped by their literal first segment, each group one compiled alternation, so
    a request tries only the routes that can match its first segment. Only a method mismatch
    falls back to the ordered scan. Routes ``tried_last`` (frontends) are kept apart, in ``tried_last``,
    for the dispatcher to try when nothing else answered.
    """

    def __init__(self, routes: Sequence[Matchable]) -> None:
        self.routes = [route for route in routes if not is_tried_last(route)]
        # Stable: among prefixes of the same length, the first added wins.
        self.tried_last: list[TriedLast] = sorted(
            (cast(TriedLast, route) for route in routes if is_tried_last(route)), key=lambda r: -r.specificity)
        dynamic = [(i, r) for i, r in enumerate(self.routes) if not r.template.is_static]
        # path -> (index, route, shadowed by an earlier dynamic route)
        self.static: dict[str, tuple[int, Matchable, bool]] = {}
        for index, route in enumerate(self.routes):
            path = route.template.path
            if route.template.is_static and path not in self.static:
                shadowed = any(i < index and r.template.regex.fullmatch(path) for i, r in dynamic)
                self.static[path] = (index, route, shadowed)
        by_segment: dict[str | None, list[tuple[int, Matchable]]] = {}
        for index, route in dynamic:
            by_segment.setdefault(_first_segment(route.template.path), []).append((index, route))
        anywhere = by_segment.pop(None, [])
        self.by_segment = {segment: _Alternation(group) for segment, group in by_segment.items()}
        self.anywhere = _Alternation(anywhere) if anywhere else None

    def _first_dynamic(self, path: str) -> tuple[int, Matchable, dict[str, Any]] | None:
        group = self.by_segment.get(_request_segment(path)) if self.by_segment else None
        found = group.first(path) if group is not None else None
        if self.anywhere is not None:
            other = self.anywhere.first(path)
            if other is not None and (found is None or other[0] < found[0]):
                found = other
        return found

    def match(self, method: str, path: str) -> tuple[Matchable | None, dict[str, Any], Matchable | None]:
        """``(route, path_params, partial)``: the route to run, or the route whose path matched (405)."""
        static = self.static.get(path)
        first: tuple[int, Matchable, dict[str, Any]] | None
        if static is not None and not static[2]:
            first = (static[0], static[1], {})  # PERF: no regex at all for an unshadowed static path
        else:
            first = self._first_dynamic(path)
            if static is not None and (first is None or static[0] < first[0]):
                first = (static[0], static[1], {})
        if first is None:
            return None, {}, None
        if first[1].matches_method(method):
            return first[1], first[2], None
        # PERF: rare (405 or one path split over several routes by method): ordered scan.
        for route in self.routes[first[0] + 1:]:
            if route.matches_method(method):
                params = route.template.match(path)
                if params is not None:
                    return route, params, None
        return None, first[2], first[1]

    def last_resort(self, path: str) -> TriedLast | None:
        """The ``tried_last`` route claiming ``path`` with the longest prefix, if any."""
        for route in self.tried_last:
            if route.relative_path(path) is not None:
                return route
        return None

    def path_exists(self, path: str) -> bool:
        return path in self.static or self._first_dynamic(path) is not None
