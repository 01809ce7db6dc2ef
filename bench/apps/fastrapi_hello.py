"""The fastrapi hello: ``python bench/apps/fastrapi_hello.py PORT`` runs ``app.serve()``;
gunicorn loads ``fastrapi_hello:app``."""

from __future__ import annotations

import sys

from fastrapi import FastrAPI

app = FastrAPI()


# No return annotation: FastAPI would treat it as a response_model and validate the result.
@app.get("/hello")
def hello():
    return {"Hello": "World"}


if __name__ == "__main__":
    app.serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000, access_log=False)
