"""The small parsers on the request path: query strings, list headers, JSON content types."""

from urllib.parse import parse_qsl

import pytest

from fastrapi.datastructures import QueryParams, parse_query_string
from fastrapi.dependencies.extractors import split_header_list
from fastrapi.dependencies.solver import is_json_content_type


@pytest.mark.parametrize("query", [
    "", "a=1&b=2", "a", "a=&=b&&c=%20x+y", "%E2%82%AC=%ff&q=a%2Bb", "a=1;b=2", "==x&a==", "%zz=1", "&&&", "a=1&a=2",
    "q=caf%C3%A9+au+lait",
])
def test_query_strings_parse_as_starlette_reads_them(query: str) -> None:
    assert parse_query_string(query) == parse_qsl(query, keep_blank_values=True)


def test_query_params_last_value_and_all_values() -> None:
    params = QueryParams("a=1&b=2&a=3")
    assert (params["a"], params.getlist("a"), list(params), len(params)) == ("3", ["1", "3"], ["a", "b"], 2)


@pytest.mark.parametrize(("lines", "items"), [
    (["a"], ["a"]), (["a,b"], ["a", "b"]), (["a , b", "c"], ["a", "b", "c"]), ([" , a,,"], ["a"]),
    (['"x,y", z'], ['"x,y"', "z"]), (['"a\\",b", c'], ['"a\\",b"', "c"]), ([""], []),
])
def test_list_headers_split_on_commas_outside_quotes(lines: list[str], items: list[str]) -> None:
    assert split_header_list(lines) == items


@pytest.mark.parametrize(("value", "is_json"), [
    ("application/json", True), ("application/json; charset=utf-8", True), ("APPLICATION/JSON", True),
    ("application/vnd.api+json", True), (" application/json ;x=y", True), ("application/json/x", False),
    ("application/x/+json", False), ("text/json", False), ("json", False), ("", False), (None, False),
    ("application/jsonp", False),
])
def test_json_content_types_as_email_message_reads_them(value: str | None, is_json: bool) -> None:
    assert is_json_content_type(value) is is_json
