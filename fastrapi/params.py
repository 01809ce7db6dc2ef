"""Parameter markers: where a value comes from (path, query, header, cookie, body, form, file) and its rules."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class ParamTypes(Enum):
    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


class Param(FieldInfo):
    """Base of the markers; keeps FastAPI's arguments and the pydantic constraints."""

    in_: str = "query"

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        default_factory: Callable[[], Any] | None = None,
        alias: str | None = None,
        alias_priority: int | None = None,
        validation_alias: str | None = None,
        serialization_alias: str | None = None,
        title: str | None = None,
        description: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        regex: str | None = None,
        discriminator: str | None = None,
        strict: bool | None = None,
        multiple_of: float | None = None,
        allow_inf_nan: bool | None = None,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        examples: list[Any] | None = None,
        example: Any = PydanticUndefined,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: bool | str | None = None,
        include_in_schema: bool = True,
        json_schema_extra: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        if default is ...:
            default = PydanticUndefined
        if regex is not None and pattern is None:
            pattern = regex
        self.include_in_schema = include_in_schema
        self.openapi_examples = openapi_examples
        self.example = example
        self.constraints = {
            name: value
            for name, value in (
                ("gt", gt), ("ge", ge), ("lt", lt), ("le", le), ("min_length", min_length),
                ("max_length", max_length), ("pattern", pattern), ("strict", strict),
                ("multiple_of", multiple_of), ("allow_inf_nan", allow_inf_nan),
                ("max_digits", max_digits), ("decimal_places", decimal_places),
            )
            if value is not None
        }
        kwargs: dict[str, Any] = dict(
            default=default, alias=alias, alias_priority=alias_priority,
            validation_alias=validation_alias, serialization_alias=serialization_alias, title=title,
            description=description, discriminator=discriminator, examples=examples,
            deprecated=deprecated, json_schema_extra=json_schema_extra or extra or None,
            **self.constraints,
        )
        if default_factory is not None:
            kwargs["default_factory"] = default_factory
            kwargs.pop("default")
        super().__init__(**{k: v for k, v in kwargs.items() if v is not None or k == "default"})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default!r})"


class Path(Param):
    in_ = "path"

    def __init__(self, default: Any = ..., **kwargs: Any) -> None:
        assert default is ..., "Path parameters cannot have a default value"
        super().__init__(default, **kwargs)


class Query(Param):
    in_ = "query"


class Header(Param):
    in_ = "header"

    def __init__(self, default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any) -> None:
        self.convert_underscores = convert_underscores
        super().__init__(default, **kwargs)


class Cookie(Param):
    in_ = "cookie"


class Body(Param):
    in_ = "body"

    def __init__(self, default: Any = PydanticUndefined, *, embed: bool | None = None,
                 media_type: str = "application/json", **kwargs: Any) -> None:
        self.embed = embed
        self.media_type = media_type
        super().__init__(default, **kwargs)


class Form(Body):
    def __init__(self, default: Any = PydanticUndefined, *, media_type: str = "application/x-www-form-urlencoded",
                 **kwargs: Any) -> None:
        super().__init__(default, embed=True, media_type=media_type, **kwargs)


class File(Form):
    def __init__(self, default: Any = PydanticUndefined, *, media_type: str = "multipart/form-data",
                 **kwargs: Any) -> None:
        super().__init__(default, media_type=media_type, **kwargs)


class Depends:
    """Marks a parameter whose value is the result of calling ``dependency``."""

    __slots__ = ("dependency", "use_cache", "scope")

    def __init__(self, dependency: Callable[..., Any] | None = None, *, use_cache: bool = True,
                 scope: str | None = None) -> None:
        self.dependency = dependency
        self.use_cache = use_cache
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        return f"{type(self).__name__}({name})"


class Security(Depends):
    """``Depends`` with OAuth2 scopes."""

    __slots__ = ("scopes",)

    def __init__(self, dependency: Callable[..., Any] | None = None, *, scopes: list[str] | None = None,
                 use_cache: bool = True) -> None:
        super().__init__(dependency, use_cache=use_cache)
        self.scopes = list(scopes or [])
