"""Routing, by job: path templates (``paths``), ``Default`` (``defaults``), route types (``routes``),
how a path operation answers (``endpoint``), the matcher (``matcher``), ``include_router``'s option
merge (``include``) and ``APIRouter`` (``router``)."""

from fastrapi.routing.defaults import DEFAULT_RESPONSE_CLASS, Default, DefaultPlaceholder, value_or_default
from fastrapi.routing.dispatch import PATH_PARAMS_KEY
from fastrapi.routing.include import IncludeContext, IncludedRouter
from fastrapi.routing.matcher import Matcher
from fastrapi.routing.paths import CONVERTERS, Converter, NoMatchFound, PathTemplate, compile_path
from fastrapi.routing.router import APIRouter, RouteDecorators
from fastrapi.routing.routes import HTTP_METHODS, APIRoute, BaseRoute, Mount
from fastrapi.routing.websocket_route import APIWebSocketRoute
from fastrapi.types import MOUNTED_KEY

__all__ = [
    "CONVERTERS", "DEFAULT_RESPONSE_CLASS", "HTTP_METHODS", "MOUNTED_KEY", "PATH_PARAMS_KEY", "APIRoute", "APIRouter",
    "APIWebSocketRoute", "BaseRoute", "Converter", "Default", "DefaultPlaceholder", "IncludeContext", "IncludedRouter",
    "Matcher", "Mount", "NoMatchFound", "PathTemplate", "RouteDecorators", "compile_path", "value_or_default",
]
