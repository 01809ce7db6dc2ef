"""Starlette's own response objects, as code written for FastAPI returns them (``from starlette.responses import
RedirectResponse``): turned into fastrapi's equivalents when a route or an exception handler returns one.

Only looked for where a value is not fastrapi's already, and only if the program imported Starlette.
"""

from __future__ import annotations

import sys
from typing import Any

from fastrapi.background import BackgroundTask, BackgroundTasks
from fastrapi.responses import FileResponse, Response, StreamingResponse

# Headers a FileResponse works out again from the file itself.
_FILE_HEADERS = {"content-length", "content-type", "content-disposition", "last-modified", "etag"}


def is_starlette_response(value: object) -> bool:
    module = sys.modules.get("starlette.responses")
    return module is not None and isinstance(value, module.Response)


def from_starlette(response: Any) -> Response:
    """fastrapi's response for a Starlette ``Response`` (its status, headers, body or stream, tasks)."""
    module = sys.modules["starlette.responses"]
    background = _tasks(response.background)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
    if isinstance(response, module.FileResponse):
        return FileResponse(response.path, status_code=response.status_code, media_type=response.media_type,
                            headers={k: v for k, v in headers if k.lower() not in _FILE_HEADERS},
                            filename=response.filename, background=background)
    if isinstance(response, module.StreamingResponse):
        converted: Response = StreamingResponse(response.body_iterator, status_code=response.status_code,
                                                background=background)
    else:
        converted = Response(response.body, status_code=response.status_code, background=background)
    converted.raw_headers = response.raw_headers  # every header as set, Set-Cookie repeats included
    return converted


def _tasks(background: Any) -> BackgroundTask | None:
    """Starlette's ``BackgroundTask``/``BackgroundTasks`` as fastrapi's (the same calls, in order)."""
    if background is None or isinstance(background, BackgroundTask):
        return background
    tasks = getattr(background, "tasks", None)
    if tasks is not None:
        return BackgroundTasks([BackgroundTask(t.func, *t.args, **t.kwargs) for t in tasks])
    return BackgroundTask(background.func, *background.args, **background.kwargs)
