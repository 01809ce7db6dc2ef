"""The HTML pages of the interactive docs: Swagger UI, ReDoc and Swagger UI's OAuth2 redirect page.

Use them for custom docs routes (self-hosted assets, another title...)::

    app = FastrAPI(docs_url=None)

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="API docs",
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css")
"""

from __future__ import annotations

import html
import json
from typing import Any

from fastrapi.encoders import jsonable_encoder
from fastrapi.responses import HTMLResponse

SWAGGER_JS_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
SWAGGER_CSS_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
REDOC_JS_URL = "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"
FAVICON_URL = "https://fastapi.tiangolo.com/img/favicon.png"
GOOGLE_FONTS_URL = "https://fonts.googleapis.com/css?family=Montserrat:300,400,700|Roboto:300,400,700"

swagger_ui_default_parameters: dict[str, Any] = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
}
"""The ``SwaggerUIBundle`` options every page gets; ``swagger_ui_parameters`` adds to or overrides them."""


def _js(value: Any) -> str:
    """``value`` as a JavaScript literal that is safe inside a ``<script>`` element."""
    text = json.dumps(jsonable_encoder(value))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def get_swagger_ui_html(
    *,
    openapi_url: str,
    title: str,
    swagger_js_url: str = SWAGGER_JS_URL,
    swagger_css_url: str = SWAGGER_CSS_URL,
    swagger_favicon_url: str = FAVICON_URL,
    oauth2_redirect_url: str | None = None,
    init_oauth: dict[str, Any] | None = None,
    swagger_ui_parameters: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The Swagger UI page for the document at ``openapi_url``.

    ``swagger_ui_parameters`` are passed to ``SwaggerUIBundle`` (e.g. ``{"syntaxHighlight": False}``),
    ``init_oauth`` to ``ui.initOAuth`` and ``oauth2_redirect_url`` (a path on this site) becomes
    Swagger UI's ``oauth2RedirectUrl``.
    """
    options = {**swagger_ui_default_parameters, **(swagger_ui_parameters or {})}
    lines = [f"    url: {_js(openapi_url)},"]
    lines += [f"    {_js(key)}: {_js(value)}," for key, value in options.items()]
    if oauth2_redirect_url:
        lines.append(f"    oauth2RedirectUrl: window.location.origin + {_js(oauth2_redirect_url)},")
    lines.append("    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],")
    init = f"ui.initOAuth({_js(init_oauth)});\n" if init_oauth else ""
    options_js = "\n".join(lines)
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="{_attr(swagger_css_url)}">
<link rel="shortcut icon" href="{_attr(swagger_favicon_url)}">
<title>{html.escape(title)}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_attr(swagger_js_url)}"></script>
<script>
const ui = SwaggerUIBundle({{
{options_js}
}});
{init}</script>
</body>
</html>
"""
    return HTMLResponse(page)


def get_redoc_html(
    *,
    openapi_url: str,
    title: str,
    redoc_js_url: str = REDOC_JS_URL,
    redoc_favicon_url: str = FAVICON_URL,
    with_google_fonts: bool = True,
) -> HTMLResponse:
    """The ReDoc page for the document at ``openapi_url``."""
    fonts = f'<link href="{_attr(GOOGLE_FONTS_URL)}" rel="stylesheet">\n' if with_google_fonts else ""
    page = f"""<!DOCTYPE html>
<html>
<head>
<title>{html.escape(title)}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{fonts}<link rel="shortcut icon" href="{_attr(redoc_favicon_url)}">
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<noscript>ReDoc needs JavaScript to show this page.</noscript>
<redoc spec-url="{_attr(openapi_url)}"></redoc>
<script src="{_attr(redoc_js_url)}"></script>
</body>
</html>
"""
    return HTMLResponse(page)


# Swagger UI opens the authorization server in a popup that comes back to this page; the page hands
# what the server sent (code or token, state, error) to the opener's ``swaggerUIRedirectOauth2``.
_OAUTH2_REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Swagger UI: OAuth2 Redirect</title>
</head>
<body>
<script>
"use strict";
function finishAuthorization() {
  const pending = window.opener.swaggerUIRedirectOauth2;
  const hash = window.location.hash;
  const raw = /code|token|error/.test(hash) ? hash.substring(1).replace("?", "&") : window.location.search.substring(1);
  const answer = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    answer[key] = value;
  }
  const stateMatches = answer.state === pending.state;
  const flow = pending.auth.schema.get("flow");
  const codeFlow = flow === "accessCode" || flow === "authorizationCode" || flow === "authorization_code";
  if (codeFlow && !pending.auth.code) {
    if (!stateMatches) {
      pending.errCb({
        authId: pending.auth.name, source: "auth", level: "warning",
        message: "Authorization may be unsafe, passed state was changed in server. " +
                 "The passed state wasn't returned from auth server."
      });
    }
    if (answer.code) {
      delete pending.state;
      pending.auth.code = answer.code;
      pending.callback({auth: pending.auth, redirectUrl: pending.redirectUrl});
    } else {
      let message = "[Authorization failed]: no accessCode received from the server.";
      if (answer.error) {
        message = "[" + answer.error + "]: " +
          (answer.error_description ? answer.error_description + ". " : "no accessCode received from the server. ") +
          (answer.error_uri ? "More info: " + answer.error_uri : "");
      }
      pending.errCb({authId: pending.auth.name, source: "auth", level: "error", message: message});
    }
  } else {
    pending.callback({auth: pending.auth, token: answer, isValid: stateMatches, redirectUrl: pending.redirectUrl});
  }
  window.close();
}
if (document.readyState !== "loading") {
  finishAuthorization();
} else {
  document.addEventListener("DOMContentLoaded", finishAuthorization);
}
</script>
</body>
</html>
"""


def get_swagger_ui_oauth2_redirect_html() -> HTMLResponse:
    """The page an OAuth2 authorization server redirects back to from Swagger UI's "Authorize" popup."""
    return HTMLResponse(_OAUTH2_REDIRECT_PAGE)
