"""Hello with 0, 1 and 3 background tasks per request: fastrapi against FastAPI+uvicorn, in one run.

Same method as run_hello.py (servers pinned to CPU 0, wrk to CPU 1). The ratio column compares
each row with the 0-task row on the same server. Usage: ``python bench/run_tasks.py [--runs 3]``.
"""

from __future__ import annotations

import sys

from run_hello import RESULTS, WORKER, Target, gunicorn, parse_args, patched_script, run, script, uvicorn

SERVERS = [
    ("pywsgi + TCP_NODELAY (app.serve)", script("fastrapi_tasks.py")),
    ("pywsgi + TCP_NODELAY (app.serve, patched)", patched_script("fastrapi_tasks")),
    ("gunicorn -k gevent -w 1", gunicorn("gevent", "fastrapi_tasks")),
    ("gunicorn -k gevent_pywsgi -w 1", gunicorn("gevent_pywsgi", "fastrapi_tasks")),
    (f"gunicorn -k {WORKER} -w 1 (fastrapi run)", gunicorn(WORKER, "fastrapi_tasks")),
    ("uvicorn (1 worker), FastAPI", uvicorn("fastapi_tasks")),
]
TARGETS = [
    Target(server, f"{n} task{'s' if n != 1 else ''}", command, path=f"/tasks/{n}", baseline=n == 0)
    for server, command in SERVERS
    for n in (0, 1, 3)
]

if __name__ == "__main__":
    sys.exit(run(TARGETS, "GET /tasks/N: hello with N background tasks", "0 tasks",
                 parse_args(RESULTS / "tasks.md")))
