"""FastAPI's deprecation warnings, against FastAPI 0.165: ``FastAPIDeprecationWarning`` (a ``UserWarning``, so it
is shown by default) for ``FastAPI(root_path=...)``, ``regex=``, ``example=`` and the ORJSON/UJSON response
classes, pointing at the user's line."""

import re
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import fastapi
import fastapi.exceptions
import fastapi.responses
import pytest

import fastrapi
import fastrapi.exceptions
import fastrapi.responses

FASTAPI = SimpleNamespace(top=fastapi, responses=fastapi.responses)
FASTRAPI = SimpleNamespace(top=fastrapi, responses=fastrapi.responses)


def root_path(fw: SimpleNamespace) -> None:
    fw.top.FastAPI(root_path="/api/v1")


def regex(fw: SimpleNamespace) -> None:
    fw.top.Query(regex="^a")


def example(fw: SimpleNamespace) -> None:
    fw.top.Body(example={"a": 1})


def orjson_response(fw: SimpleNamespace) -> None:
    fw.responses.ORJSONResponse({"a": 1})


def ujson_response(fw: SimpleNamespace) -> None:
    fw.responses.UJSONResponse({"a": 1})


def _warnings(use: Callable[[SimpleNamespace], None], fw: SimpleNamespace) -> list[tuple[str, str, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            use(fw)
        except ImportError:
            pass  # orjson/ujson not installed: the warning comes first all the same
    # The first clause is compared ("X is deprecated"): what a warnings filter in a user's program matches.
    return [(w.category.__name__, re.match(r"[^,.]*", str(w.message)).group(), w.filename)  # type: ignore[union-attr]
            for w in caught]


@pytest.mark.parametrize("use", [root_path, regex, example, orjson_response, ujson_response])
def test_deprecations_warn_as_fastapi(use: Callable[[SimpleNamespace], Any]) -> None:
    ours = _warnings(use, FASTRAPI)
    assert ours == _warnings(use, FASTAPI)
    assert [(category, filename) for category, _, filename in ours] == [("FastAPIDeprecationWarning", __file__)]


def test_the_warning_is_a_user_warning_shown_by_default() -> None:
    assert issubclass(fastrapi.exceptions.FastAPIDeprecationWarning, UserWarning)
    assert fastrapi.exceptions.FastAPIDeprecationWarning.__mro__[1:] == \
        fastapi.exceptions.FastAPIDeprecationWarning.__mro__[1:]
