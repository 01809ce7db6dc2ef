"""JSON Schemas of the values an operation reads and writes, with their models hoisted to components.

Every value the document describes (a parameter, a request body, a response model) is a
``SchemaField``: a name, a pydantic ``FieldInfo`` and a mode (``validation`` for what comes in,
``serialization`` for what goes out). ``generate_schemas`` hands all of them to pydantic at once,
so each model appears once under ``#/components/schemas/`` and, where a model's input and output
shapes differ, as ``Model-Input`` and ``Model-Output``.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, cast, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticUndefined, core_schema

from fastrapi.openapi.constants import REF_TEMPLATE

Mode = Literal["validation", "serialization"]

# The FieldInfo attributes that carry over into the schema of a standalone field.
_ATTRIBUTES = (
    "default", "default_factory", "alias", "alias_priority", "validation_alias", "serialization_alias", "title",
    "field_title_generator", "description", "examples", "exclude", "exclude_if", "discriminator", "deprecated",
    "json_schema_extra", "frozen", "validate_default", "repr", "init", "init_var", "kw_only",
)


class SchemaGenerator(GenerateJsonSchema):
    """pydantic's generator, with bytes as binary content (``contentMediaType``), as FastAPI writes them."""

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        json_schema: dict[str, Any] = {"type": "string", "contentMediaType": "application/octet-stream"}
        mode = self._config.ser_json_bytes if self.mode == "serialization" else self._config.val_json_bytes
        if mode == "base64":
            json_schema["contentEncoding"] = "base64"
        self.update_with_validations(json_schema, schema, self.ValidationsMapping.bytes)
        return json_schema


class SchemaField:
    """One value the document describes: ``name``, its ``FieldInfo`` and the direction it travels."""

    __slots__ = ("name", "info", "mode", "config", "_adapter")

    def __init__(self, name: str, info: FieldInfo, mode: Mode = "validation",
                 config: ConfigDict | None = None) -> None:
        self.name = name
        self.info = info
        self.mode: Mode = mode
        self.config = config
        self._adapter: TypeAdapter[Any] | None = None

    @property
    def alias(self) -> str:
        return self.info.alias if self.info.alias is not None else self.name

    @property
    def validation_alias(self) -> str | None:
        alias = self.info.validation_alias
        return alias if isinstance(alias, str) and alias else None

    @property
    def adapter(self) -> TypeAdapter[Any]:
        """The field's type with its constraints and metadata, as one adapter."""
        if self._adapter is None:
            info = self.info
            given: dict[str, Any] = {}
            for name in _ATTRIBUTES:
                value = getattr(info, name, PydanticUndefined)
                if value is not PydanticUndefined:
                    given[name] = value
            with warnings.catch_warnings():
                # pydantic warns that alias & co. mean nothing to a TypeAdapter; they are there for the schema.
                warnings.simplefilter("ignore")
                # A tuple built apart: mypy reads ``Annotated[(a, *b)]`` as 3.11's ``X[*b]`` syntax.
                params = tuple([info.annotation, *info.metadata, Field(**given)])
                annotated: Any = Annotated[params]  # a runtime-built type: only Any can hold it
                self._adapter = TypeAdapter(annotated, config=self.config)
        return self._adapter

    def __repr__(self) -> str:
        return f"SchemaField({self.name!r}, mode={self.mode!r})"


@functools.cache
def model_fields(model: type[BaseModel]) -> list[SchemaField]:
    """The fields of ``model``, each as a ``SchemaField`` (cached: every route shares them)."""
    fields = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        nested = _subclass(annotation, (BaseModel, dict)) or dataclasses.is_dataclass(annotation)
        fields.append(SchemaField(name, info, config=None if nested else model.model_config))
    return fields


def _subclass(value: Any, bases: type | tuple[type, ...]) -> bool:
    try:
        return isinstance(value, type) and issubclass(value, bases)
    except TypeError:  # a generic alias such as list[int]
        return False


def _collect_models(annotation: Any, found: set[type]) -> None:
    """Add the models and enums ``annotation`` names (also inside generics and model fields) to ``found``."""
    if _subclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in model_fields(annotation):
                _collect_models(field.info.annotation, found)
        return
    if _subclass(annotation, Enum):
        found.add(annotation)
        return
    if get_origin(annotation) is None:
        return
    for arg in get_args(annotation):
        _collect_models(arg, found)


def flat_models(fields: Iterable[SchemaField]) -> set[type]:
    """Every model and enum the fields reach."""
    found: set[type] = set()
    for field in fields:
        _collect_models(field.info.annotation, found)
    return found


def _has_computed_fields(field: SchemaField) -> bool:
    """Whether the value's output has computed fields (then it keeps its output schema)."""
    schema = field.adapter.core_schema
    if schema.get("schema", {}).get("computed_fields"):
        return True

    def walk(annotation: Any, seen: set[type]) -> bool:
        if _subclass(annotation, BaseModel):
            if annotation in seen:
                return False
            seen.add(annotation)
            if annotation.model_computed_fields:
                return True
            return any(walk(info.annotation, seen) for info in annotation.model_fields.values())
        return any(walk(arg, seen) for arg in get_args(annotation))

    return walk(field.info.annotation, set())


class Schemas:
    """The result of ``generate_schemas``: each field's schema and the hoisted definitions."""

    def __init__(self, mapping: dict[tuple[SchemaField, Mode], dict[str, Any]],
                 definitions: dict[str, JsonSchemaValue], separate_input_output: bool) -> None:
        self.mapping = mapping
        self.definitions = definitions
        self.separate_input_output = separate_input_output

    def of(self, field: SchemaField, alias: str | None = None) -> dict[str, Any]:
        """The schema of ``field``: a ``$ref`` to its model, or an inline schema titled after ``alias``."""
        mode: Mode = field.mode
        if not self.separate_input_output and not _has_computed_fields(field):
            mode = "validation"
        if alias is None:
            alias = (field.validation_alias or field.alias) if field.mode == "validation" else \
                (field.info.serialization_alias or field.alias)
        schema = dict(self.mapping[(field, mode)])
        if "$ref" not in schema:
            schema["title"] = field.info.title or alias.title().replace("_", " ")
        return schema


def generate_schemas(fields: Sequence[SchemaField], separate_input_output: bool = True) -> Schemas:
    """Schemas for ``fields`` in one pydantic pass; models referenced as ``#/components/schemas/Name``."""
    by_mode: dict[Mode, set[type]] = {
        "validation": flat_models(f for f in fields if f.mode == "validation"),
        "serialization": flat_models(f for f in fields if f.mode == "serialization"),
    }
    direct = {f.info.annotation for f in fields}
    # The reachable models as fields of their own, so that each has a definition in each mode it is used in.
    extra = [SchemaField(model.__name__, FieldInfo(annotation=model), mode)
             for mode, models in by_mode.items() for model in models if model not in direct]
    inputs: list[tuple[SchemaField, Mode, core_schema.CoreSchema]] = []
    for field in [*fields, *extra]:
        mode: Mode = field.mode if separate_input_output or _has_computed_fields(field) else "validation"
        inputs.append((field, mode, field.adapter.core_schema))
    generator = SchemaGenerator(ref_template=REF_TEMPLATE)
    mapping, definitions = generator.generate_definitions(inputs=inputs)
    for definition in definitions.values():
        description = definition.get("description")
        if isinstance(description, str):
            definition["description"] = description.split("\f")[0]  # the docstring's part for the docs
    # Keyed by DefsRef, a NewType of str; dict keys are invariant, so only a cast reads them as str.
    return Schemas(mapping, cast("dict[str, JsonSchemaValue]", definitions), separate_input_output)
