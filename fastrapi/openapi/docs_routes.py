"""The routes an app serves for its document: ``/openapi.json``, ``/docs`` (+ OAuth2 redirect), ``/redoc``.

They are registered first, as FastAPI does, so they take precedence over a path operation of the
same path, are listed in ``app.routes`` and stay out of the document. ``docs_assets="local"``
also serves Swagger UI and ReDoc from the app (the ``docs-assets`` extra), for machines that
cannot reach the CDN.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from fastrapi.openapi import docs
from fastrapi.responses import JSONResponse, Response
from fastrapi.routing import BaseRoute, Mount, NoMatchFound, compile_path
from fastrapi.staticfiles import StaticFiles

ASSETS_ENV = "FASTRAPI_DOCS_ASSETS"
# The package of the ``docs-assets`` extra and where its Swagger UI and ReDoc builds are.
ASSETS_PACKAGE = "drf_spectacular_sidecar"
_ASSETS_FOLDER = ("static", "drf_spectacular_sidecar")


@dataclass(frozen=True, slots=True)
class DocsAssets:
    """Where the docs pages load Swagger UI and ReDoc from.

    The default is the CDN FastAPI uses. ``served_by_app``: the URLs are paths of this app (the
    local bundle), prefixed with the request's root path like the document's URL.
    """

    swagger_js_url: str = docs.SWAGGER_JS_URL
    swagger_css_url: str = docs.SWAGGER_CSS_URL
    swagger_favicon_url: str = docs.FAVICON_URL
    redoc_js_url: str = docs.REDOC_JS_URL
    redoc_favicon_url: str = docs.FAVICON_URL
    with_google_fonts: bool = True
    served_by_app: bool = False

    def under(self, root_path: str) -> DocsAssets:
        """The same assets for a request under ``root_path``."""
        if not self.served_by_app or not root_path:
            return self
        return replace(
            self, swagger_js_url=root_path + self.swagger_js_url, swagger_css_url=root_path + self.swagger_css_url,
            swagger_favicon_url=root_path + self.swagger_favicon_url, redoc_js_url=root_path + self.redoc_js_url,
            redoc_favicon_url=root_path + self.redoc_favicon_url,
        )


def local_assets_directory() -> Path:
    """The folder of the installed ``docs-assets`` bundle (found without importing its package)."""
    spec = importlib.util.find_spec(ASSETS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "docs_assets='local' serves Swagger UI and ReDoc from the drf-spectacular-sidecar package: "
            "pip install 'fastrapi[docs-assets]'"
        )
    return Path(next(iter(spec.submodule_search_locations)), *_ASSETS_FOLDER)


def local_assets(prefix: str) -> DocsAssets:
    """The bundle's files as the app serves them under ``prefix``."""
    return DocsAssets(
        swagger_js_url=f"{prefix}/swagger-ui-dist/swagger-ui-bundle.js",
        swagger_css_url=f"{prefix}/swagger-ui-dist/swagger-ui.css",
        swagger_favicon_url=f"{prefix}/swagger-ui-dist/favicon-32x32.png",
        redoc_js_url=f"{prefix}/redoc/bundles/redoc.standalone.js",
        redoc_favicon_url=f"{prefix}/swagger-ui-dist/favicon-32x32.png",
        with_google_fonts=False,  # fonts come from Google's servers: none offline
        served_by_app=True,
    )


class DocsRoute(BaseRoute):
    """A GET route answered by ``page(environ)``: not a path operation, never in the document."""

    include_in_schema = False

    def __init__(self, path: str, page: Callable[[dict[str, Any]], Response], name: str) -> None:
        self.path = path
        self.name = name
        self.page = page
        self.methods = ["GET", "HEAD"]
        self.template = compile_path(path)

    def matches_method(self, method: str) -> bool:
        return method in self.methods

    def handle(self, environ: dict[str, Any], start_response: Callable[..., Any],
               path_params: dict[str, Any]) -> Iterable[bytes]:
        return self(environ, start_response)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.page(environ)(environ, start_response)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        if name != self.name or path_params:
            raise NoMatchFound(name, path_params)
        return self.path

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r})"


def _root_path(environ: dict[str, Any]) -> str:
    """The path the app is served under (a proxy's prefix, a mount), as ASGI's ``root_path``."""
    return (environ.get("SCRIPT_NAME") or "").rstrip("/")


class _Router(Protocol):
    routes: list[BaseRoute]


class DocsApp(Protocol):
    """What the documentation routes need of their app (``FastrAPI`` is one)."""

    title: str
    openapi_url: str | None
    docs_url: str | None
    redoc_url: str | None
    swagger_ui_oauth2_redirect_url: str | None
    swagger_ui_init_oauth: dict[str, Any] | None
    swagger_ui_parameters: dict[str, Any] | None
    root_path_in_servers: bool
    docs_assets: DocsAssets

    @property
    def router(self) -> _Router: ...

    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI document."""
        ...


def add_docs_routes(app: DocsApp, assets: str | DocsAssets | None = None) -> DocsAssets:
    """Register the app's ``openapi_url``, ``docs_url`` (+ OAuth2 redirect) and ``redoc_url`` routes.

    ``assets``: ``"cdn"`` (FastAPI's URLs), ``"local"`` (the ``docs-assets`` bundle, served by the
    app under ``<docs_url>/assets``) or a ``DocsAssets`` with URLs of your own; None: the
    ``FASTRAPI_DOCS_ASSETS`` environment variable (``cdn`` or ``local``), else ``"cdn"``.
    """
    if assets is None:
        assets = os.environ.get(ASSETS_ENV, "").strip().lower() or "cdn"
    mount: Mount | None = None
    if assets == "cdn":
        chosen = DocsAssets()
    elif assets == "local":
        prefix = (app.docs_url or app.redoc_url or "/docs").rstrip("/") + "/assets"
        chosen = local_assets(prefix)
        if app.openapi_url and (app.docs_url or app.redoc_url):
            mount = Mount(prefix, StaticFiles(directory=local_assets_directory()), name="docs_assets")
    elif isinstance(assets, DocsAssets):
        chosen = assets
    else:
        raise ValueError(f"docs_assets must be 'cdn', 'local' or a DocsAssets, not {assets!r}")
    routes = app.router.routes
    if app.openapi_url:
        routes.append(DocsRoute(app.openapi_url, lambda environ: _openapi_json(app, environ), "openapi"))
    if app.openapi_url and app.docs_url:
        routes.append(DocsRoute(app.docs_url, lambda environ: _swagger_ui(app, environ), "swagger_ui_html"))
        if app.swagger_ui_oauth2_redirect_url:
            routes.append(DocsRoute(app.swagger_ui_oauth2_redirect_url,
                                    lambda environ: docs.get_swagger_ui_oauth2_redirect_html(), "swagger_ui_redirect"))
    if app.openapi_url and app.redoc_url:
        routes.append(DocsRoute(app.redoc_url, lambda environ: _redoc(app, environ), "redoc_html"))
    if mount is not None:
        routes.append(mount)
    return chosen


def _openapi_json(app: DocsApp, environ: dict[str, Any]) -> Response:
    schema = app.openapi()
    root_path = _root_path(environ)
    if root_path and app.root_path_in_servers:
        servers = schema.get("servers", [])
        if root_path not in {server.get("url") for server in servers}:
            schema = {**schema, "servers": [{"url": root_path}, *servers]}
    return JSONResponse(schema)


def _swagger_ui(app: DocsApp, environ: dict[str, Any]) -> Response:
    root_path = _root_path(environ)
    assets = app.docs_assets.under(root_path)
    redirect = app.swagger_ui_oauth2_redirect_url
    return docs.get_swagger_ui_html(
        openapi_url=root_path + app.openapi_url,  # type: ignore[operator]
        title=f"{app.title} - Swagger UI",
        swagger_js_url=assets.swagger_js_url,
        swagger_css_url=assets.swagger_css_url,
        swagger_favicon_url=assets.swagger_favicon_url,
        oauth2_redirect_url=root_path + redirect if redirect else None,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


def _redoc(app: DocsApp, environ: dict[str, Any]) -> Response:
    root_path = _root_path(environ)
    assets = app.docs_assets.under(root_path)
    return docs.get_redoc_html(
        openapi_url=root_path + app.openapi_url,  # type: ignore[operator]
        title=f"{app.title} - ReDoc",
        redoc_js_url=assets.redoc_js_url,
        redoc_favicon_url=assets.redoc_favicon_url,
        with_google_fonts=assets.with_google_fonts,
    )
