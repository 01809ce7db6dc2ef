"""The matcher keeps FastAPI's first-registered-wins order across its static dict and segment groups."""

from __future__ import annotations

from typing import Any

import pytest

from fastrapi.routing import APIRoute, Matcher


def route(path: str, name: str, methods: list[str] | None = None) -> APIRoute:
    def endpoint() -> None:
        return None

    return APIRoute(path, endpoint, name=name, methods=methods or ["GET"])


def matched(routes: list[APIRoute], path: str, method: str = "GET") -> tuple[str | None, dict[str, Any], str | None]:
    found, params, partial = Matcher(routes).match(method, path)
    return (found.name if found else None), params, (partial.name if partial else None)


def test_a_parameter_first_route_registered_earlier_wins_over_a_literal_group() -> None:
    routes = [route("/{kind}/list", "any-kind"), route("/items/{item}", "items")]
    assert matched(routes, "/items/list") == ("any-kind", {"kind": "items"}, None)
    assert matched(routes, "/items/7") == ("items", {"item": "7"}, None)


def test_a_literal_group_route_registered_earlier_wins_over_a_parameter_first_one() -> None:
    routes = [route("/items/{item}", "items"), route("/{kind}/list", "any-kind")]
    assert matched(routes, "/items/list") == ("items", {"item": "list"}, None)


@pytest.mark.parametrize(("order", "expected"), [
    (["/users/{user_id}", "/users/me"], ("/users/{user_id}", {"user_id": "me"})),
    (["/users/me", "/users/{user_id}"], ("/users/me", {})),
])
def test_a_static_path_shadowed_by_an_earlier_dynamic_route(order: list[str], expected: tuple[str, dict]) -> None:
    routes = [route(path, path) for path in order]
    assert matched(routes, "/users/me") == (*expected, None)


def test_a_path_split_by_method_across_groups_and_405() -> None:
    routes = [route("/items/{item}", "get-item"), route("/{a}/{b}", "post-any", ["POST"])]
    assert matched(routes, "/items/5", "POST") == ("post-any", {"a": "items", "b": "5"}, None)
    assert matched(routes, "/items/5", "PUT") == (None, {"item": "5"}, "get-item")


def test_many_routes_find_the_last_one_with_its_parameters() -> None:
    routes = [route(f"/r{i}/{{item_id:int}}", f"r{i}") for i in range(200)] + [route("/hello", "hello")]
    assert matched(routes, "/r199/7") == ("r199", {"item_id": 7}, None)
    assert matched(routes, "/hello") == ("hello", {}, None)
    assert matched(routes, "/r199/x") == (None, {}, None)
    assert matched(routes, "/r199") == (None, {}, None)
