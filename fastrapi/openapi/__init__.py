"""The OpenAPI 3.1 document of an app and its interactive docs.

``utils.get_openapi`` builds the document (``app.openapi()`` caches it), ``docs`` has the Swagger UI,
ReDoc and OAuth2 redirect pages, ``docs_routes`` the routes an app serves them on, ``models`` the
document's objects. The module names are FastAPI's (``fastapi.openapi.utils``, ``.docs``, ``.models``).
"""
