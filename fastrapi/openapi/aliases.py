"""The names a parameter answers to, in the order the document shows them (FastAPI's rules)."""

from __future__ import annotations

from pydantic import AliasChoices, AliasPath

from fastrapi.openapi.schemas import SchemaField


def param_aliases(field: SchemaField, *, convert_underscores: bool = False,
                  is_path: bool = False) -> list[tuple[str, str]]:
    """``(schema name, request name)`` pairs of ``field``, preferred first.

    The alias (or name) comes first, with ``_`` → ``-`` for a header that converts underscores; an
    ``AliasChoices`` of plain names replaces it by its choices; a model that validates by name adds
    the field's own name (or uses only it when it does not validate by alias).
    """
    alias = field.validation_alias or field.alias
    request = alias.replace("_", "-") if convert_underscores and alias == field.name else alias
    pairs = [(alias, request)]
    choices = field.info.validation_alias
    if is_path or isinstance(choices, AliasPath):
        return pairs
    if isinstance(choices, AliasChoices):
        if any(isinstance(choice, AliasPath) for choice in choices.choices):
            return pairs
        pairs = [(choice, choice) for choice in choices.choices]  # type: ignore[misc]
    config = field.config or {}
    by_name = config.get("validate_by_name", config.get("populate_by_name", False))
    if config.get("validate_by_alias") is False or by_name:
        own = field.name.replace("_", "-") if convert_underscores else field.name
        if config.get("validate_by_alias") is False:
            return [(field.name, own)]
        if field.name not in [name for name, _ in pairs]:
            pairs.append((field.name, own))
    return pairs
