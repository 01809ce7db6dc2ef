"""The schema of a form body that spreads a model's fields next to other form fields (or may be absent).

A form has no nesting: ``Annotated[Model, Form()]`` (or a union of models, ``Form()`` of
``A | B``) reads the model's fields as top-level form fields. When such a model sits next to
other form values, or is optional, the body object FastAPI documents is the union of those
names: the model is inlined (``allOf``) and, when optional, "absent" means none of its fields
(of any branch) is sent.
"""

from __future__ import annotations

import copy
import functools
from typing import Annotated, Any, get_args

from pydantic import AliasChoices, BaseModel, ConfigDict, GetJsonSchemaHandler, GetPydanticSchema, create_model
from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema

from fastrapi import params
from fastrapi.dependencies.analysis import ParamField
from fastrapi.dependencies.annotations import model_of
from fastrapi.openapi.aliases import param_aliases
from fastrapi.openapi.schemas import SchemaField, model_fields


def form_model(param: ParamField) -> type[BaseModel] | None:
    """The model a form parameter spreads over the form (``Model`` or ``Model | None``), if any."""
    marker = param.marker
    if not isinstance(marker, params.Form) or marker.embed or param.model is None:
        return None
    return model_of(marker.annotation)


def form_models(param: ParamField) -> tuple[type[BaseModel], ...]:
    """The models a form parameter spreads over the form: its model, or every branch of its union."""
    if param.union is not None:
        return param.union.models
    model = form_model(param)
    return () if model is None else (model,)


def is_nullable_form_model(param: ParamField) -> bool:
    return bool(form_models(param)) and type(None) in get_args(param.marker.annotation)


def _model_schema(model: type[BaseModel], schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
    """The model as this form reads it: its properties renamed to the names the form fields are sent as."""
    reference = handler(schema)
    resolved = handler.resolve_ref_schema(reference)
    properties = resolved.get("properties", {})
    required = resolved.get("required", [])
    renamed: dict[str, list[str]] = {}
    for field in model_fields(model):
        choices = field.info.validation_alias
        shown = choices.choices[0] if isinstance(choices, AliasChoices) else (field.validation_alias or field.alias)
        names = [name for name, _ in param_aliases(field)]
        if isinstance(shown, str) and shown in properties and (
                names[0] != shown or (len(names) > 1 and shown in required)):
            renamed[shown] = names
    if not renamed:
        return reference
    result = copy.deepcopy(resolved)  # this form only: the shared model schema stays as it is
    result["properties"] = {renamed.get(name, [name])[0]: value for name, value in result["properties"].items()}
    result["required"] = []
    for name in required:
        names = renamed.get(name, [name])
        if len(names) == 1:
            result["required"].append(names[0])
        else:
            result.setdefault("allOf", []).append({"anyOf": [{"required": [n]} for n in names]})
    return result


def _merge_fields(body: list[tuple[ParamField, SchemaField]], schema: dict[str, Any]) -> None:
    """Rewrite the ``field_N`` properties of the body model into the form's own names and conditions."""
    members = schema.pop("properties")
    schema.pop("required", None)
    properties: dict[str, Any] = {}
    required: list[str] = []
    conditions: list[dict[str, Any]] = []
    for index, (param, field) in enumerate(body):
        member = members[f"field_{index}"]
        models = form_models(param)
        if not models:
            name = param_aliases(field)[0][0]
            if name in properties:
                conditions.append({"properties": {name: member}})
            else:
                properties[name] = member
            if param.marker.is_required() and name not in required:
                required.append(name)
            continue
        member.pop("default", None)
        if type(None) in get_args(param.marker.annotation):
            # An optional model is left out by sending none of its fields, not by a null body.
            member["anyOf"] = [choice for choice in member["anyOf"] if choice.get("type") != "null"]
            if any(model.model_config.get("extra") in ("allow", "forbid") for model in models):
                absent: dict[str, Any] = {"maxProperties": 0}
            else:
                names = sorted({name for model in models for f in model_fields(model) for name, _ in param_aliases(f)})
                absent = {"not": {"anyOf": [{"required": [name]} for name in names]}} if names else {}
            if param.marker.is_required():
                conditions.append({"not": absent})
            else:
                member = {"anyOf": [absent, member]}
        conditions.append(member)
    if properties:
        schema["properties"] = properties
    if required:
        schema["required"] = required
    schema["allOf"] = conditions


def form_body_model(name: str, body: list[tuple[ParamField, SchemaField]]) -> type[BaseModel]:
    """The ``Body_<operation id>`` model of a form with spread models: one ``field_N`` per parameter."""
    members: dict[str, Any] = {}
    for index, (param, field) in enumerate(body):
        info: FieldInfo = copy.copy(field.info)
        model = form_model(param)
        if model is not None:
            as_form = GetPydanticSchema(get_pydantic_json_schema=functools.partial(_model_schema, model))
            shown: Any = Annotated[model, as_form]  # a runtime-built type: only Any can hold it
            info.annotation = shown if param.marker.annotation is model else shown | None
        key = f"field_{index}"
        info.alias = info.validation_alias = info.serialization_alias = key
        info.title = info.title or param.name.replace("_", " ").title()
        members[key] = (info.annotation, info)
    config = ConfigDict(json_schema_extra=functools.partial(_merge_fields, body))
    return create_model(name, __config__=config, **members)
