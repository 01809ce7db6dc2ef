"""The documents of the ``examples/`` apps are valid OpenAPI 3.1, and FastAPI's for the same code.

Each example is loaded twice: as written, and with its one import line switched to ``fastapi``
(what a user migrating the other way would do); both documents must be equal.
"""

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from fastrapi import FastrAPI

openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
OpenAPIV32SpecValidator = openapi_spec_validator.OpenAPIV32SpecValidator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.py") if p.name != "__init__.py")


def _load(path: Path, source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # pydantic resolves the models' annotations in their module
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def _app(path: Path, framework: str = "fastrapi") -> Any:
    source = path.read_text()
    if framework == "fastapi":
        source = source.replace("fastrapi", "fastapi").replace("FastrAPI", "FastAPI")
    return getattr(_load(path, source, f"example_{framework}_{path.stem}"), "app", None)


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT / "examples"))


@pytest.mark.parametrize("path", EXAMPLES, ids=_ids)
def test_example_document_is_valid_openapi(path: Path) -> None:
    app = _app(path)
    if not isinstance(app, FastrAPI):
        pytest.skip("no app in this example")
    document = app.openapi()
    assert document["openapi"] == "3.1.0"
    if '"itemSchema"' in json.dumps(document):
        # Streams' itemSchema is OpenAPI 3.2's; FastAPI puts it in its "3.1.0" documents too.
        openapi_spec_validator.validate({**document, "openapi": "3.2.0"}, cls=OpenAPIV32SpecValidator)
    else:
        openapi_spec_validator.validate(document)


@pytest.mark.parametrize("path", EXAMPLES, ids=_ids)
def test_example_document_is_fastapis(path: Path) -> None:
    pytest.importorskip("fastapi")
    app = _app(path)
    if not isinstance(app, FastrAPI):
        pytest.skip("no app in this example")
    assert app.openapi() == _app(path, "fastapi").openapi()
