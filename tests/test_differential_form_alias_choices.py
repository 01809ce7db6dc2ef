"""Form models whose fields have ``AliasChoices``, on FastAPI and on fastrapi: a field takes the first
of its names sent with a non-empty value, and its names after that one stay in the form, where the
model's ``extra`` (or another parameter) sees them, as FastAPI 0.165 reads forms."""

from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
from pydantic import AliasChoices, BaseModel, ConfigDict, Field  # noqa: E402

import fastrapi  # noqa: E402
from tests.differential import check  # noqa: E402


def alias_choices_app(fw: SimpleNamespace) -> Any:
    Form = (fastapi if fw.name == "fastapi" else fastrapi).Form
    app = fw.FastAPI()

    class Many(BaseModel):
        model_config = ConfigDict(extra="forbid")
        names: list[str] = Field(validation_alias=AliasChoices("names", "legacy"))

    class One(BaseModel):
        text: str = Field(alias="legacy")

    class Loose(BaseModel):
        model_config = ConfigDict(extra="allow")
        code: str = Field(validation_alias=AliasChoices("code", "old_code"))

    @app.post("/shared")
    def shared(many: Annotated[Many, Form()], one: Annotated[One, Form()], legacy: Annotated[str, Form()]) -> Any:
        return {"many": many, "one": one, "last": legacy}

    @app.post("/loose")
    def loose(data: Annotated[Loose, Form()]) -> Any:
        return data.model_dump()

    return app


@pytest.mark.parametrize(("url", "data"), [
    ("/shared", {"legacy": ["first", "last"]}),  # names from "legacy"; One and the parameter read it too
    ("/shared", {"names": "first", "legacy": "last"}),  # "legacy" after "names" is an extra: forbidden
    ("/shared", {"names": "", "legacy": "last"}),  # an empty "names" is not sent: "legacy" is the field's
    ("/loose", {"code": "a", "old_code": "b"}),  # "old_code" kept as an extra
    ("/loose", {"code": "", "old_code": "b", "other": "c"}),
    ("/loose", {"old_code": "b"}),
    ("/loose", {}),
])
def test_alias_choices_in_form_models(url: str, data: dict[str, Any]) -> None:
    check(alias_choices_app, "POST", url, data=data)
