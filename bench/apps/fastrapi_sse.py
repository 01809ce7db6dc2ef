"""SSE fan-out on fastrapi (``bench/apps/sse_fanout_app.py``)."""

from bench.apps.sse_fanout_app import build

app = build("fastrapi")
