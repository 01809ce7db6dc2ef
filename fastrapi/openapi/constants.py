"""Names the document uses (as in ``fastapi.openapi.constants``)."""

METHODS_WITH_BODY = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}
"""The methods whose operations document a request body."""
REF_PREFIX = "#/components/schemas/"
REF_TEMPLATE = REF_PREFIX + "{model}"
