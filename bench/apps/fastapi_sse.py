"""SSE fan-out on FastAPI (``bench/apps/sse_fanout_app.py``)."""

from bench.apps.sse_fanout_app import build

app = build("fastapi")
