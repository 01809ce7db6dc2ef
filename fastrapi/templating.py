"""``Jinja2Templates``: HTML pages rendered from Jinja2 templates (the ``templates`` extra).

``templates = Jinja2Templates(directory="templates")``, then in an endpoint
``return templates.TemplateResponse(request, "item.html", {"id": id})``. Templates can call
``url_for('read_item', id=id)`` and ``url_for('static', path='/styles.css')``: the URL of a route
or of a file under a named mount, built from the request as ``request.url_for`` builds it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

try:
    import jinja2
except ImportError:
    raise ImportError(
        "fastrapi.templating needs the jinja2 package: pip install 'fastrapi[templates]' (or pip install jinja2)"
    ) from None

from fastrapi.background import BackgroundTask
from fastrapi.datastructures import URL
from fastrapi.requests import Request
from fastrapi.responses import HTMLResponse

ContextProcessor = Callable[[Request], dict[str, Any]]
TemplateDirs = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
_RESPONSE_OPTIONS = ("status_code", "headers", "media_type", "background")


class TemplateResponse(HTMLResponse):
    """The HTML of ``template`` rendered with ``context``; both stay readable as attributes (for tests)."""

    def __init__(
        self,
        template: jinja2.Template,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.template = template
        self.context = context
        super().__init__(template.render(context), status_code, headers, media_type, background)


@jinja2.pass_context
def _url_for(context: Mapping[str, Any], name: str, /, **path_params: Any) -> URL:
    """The template global ``url_for``: ``request.url_for`` of the request being rendered."""
    request: Request = context["request"]
    return request.url_for(name, **path_params)


class Jinja2Templates:
    """Templates of ``directory`` (one or several folders), or of a ready ``env``; ``context_processors``
    add variables computed from the request to every page."""

    @overload
    def __init__(self, directory: TemplateDirs, *, context_processors: list[ContextProcessor] | None = None) -> None:
        ...

    @overload
    def __init__(self, *, env: jinja2.Environment, context_processors: list[ContextProcessor] | None = None) -> None:
        ...

    def __init__(
        self,
        directory: TemplateDirs | None = None,
        *,
        context_processors: list[ContextProcessor] | None = None,
        env: jinja2.Environment | None = None,
    ) -> None:
        assert bool(directory) ^ bool(env), "either 'directory' or 'env' arguments must be passed"
        self.context_processors = context_processors or []
        if env is None:
            env = jinja2.Environment(loader=jinja2.FileSystemLoader(directory),  # type: ignore[arg-type]
                                     autoescape=jinja2.select_autoescape())
        self.env = env
        env.globals.setdefault("url_for", _url_for)

    def get_template(self, name: str) -> jinja2.Template:
        """The template called ``name`` (``jinja2.TemplateNotFound`` if there is none)."""
        return self.env.get_template(name)

    @overload
    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> TemplateResponse:
        ...

    @overload
    def TemplateResponse(
        self,
        name: str,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> TemplateResponse:
        ...

    def TemplateResponse(self, *args: Any, **kwargs: Any) -> TemplateResponse:
        """Render the template ``name`` with ``context`` (which gets ``request`` too) as an HTML response.

        ``TemplateResponse(request, name, context, status_code, headers, media_type, background)``;
        the older ``TemplateResponse(name, {"request": request, ...}, ...)`` still works, with a warning.
        """
        request, name, context, options = _arguments(args, kwargs)
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        return TemplateResponse(self.get_template(name), context, **options)


def _arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Request, str, dict[str, Any], dict[str, Any]]:
    """(request, name, context, response options) of either ``TemplateResponse`` call form."""
    old_form = isinstance(args[0], str) if args else "request" not in kwargs
    fields: tuple[str, ...]
    if old_form:
        warnings.warn("TemplateResponse(name, {'request': request, ...}) is deprecated: pass the request first, "
                      "TemplateResponse(request, name, context)", DeprecationWarning, stacklevel=3)
        fields = ("name", "context", *_RESPONSE_OPTIONS)
    else:
        fields = ("request", "name", "context", *_RESPONSE_OPTIONS)
    if len(args) > len(fields):
        raise TypeError(f"TemplateResponse() takes at most {len(fields)} positional arguments")
    given = dict(zip(fields, args))
    for key, value in kwargs.items():
        if key not in fields:
            raise TypeError(f"TemplateResponse() got an unexpected keyword argument {key!r}")
        if key in given:
            raise TypeError(f"TemplateResponse() got multiple values for argument {key!r}")
        given[key] = value
    if "name" not in given:
        raise TypeError("TemplateResponse() missing the template name")
    context = given.get("context") or {}
    if old_form and "request" not in context:
        raise ValueError('context must include a "request" key')
    request = given["request"] if not old_form else context["request"]
    options = {key: given[key] for key in _RESPONSE_OPTIONS if key in given}
    return request, given["name"], context, options


__all__ = ["Jinja2Templates", "TemplateResponse"]
