"""The same endpoints on fastrapi and FastAPI: a baseline without dependencies and three nested
dependencies (``c`` depends on ``b`` depends on ``a``) in three flavours.

- ``/plain``: no dependencies (the baseline);
- ``/nested``: three nested dependencies that take nothing from the request;
- ``/nested-query``: the same, each reading one ``int`` query parameter;
- ``/nested-yield``: the same as ``/nested`` with ``yield`` (exit code after the response).
"""

from typing import Annotated, Any

import fastapi

import fastrapi

EXPECTED = {"/plain": 3, "/nested": 3, "/nested-query": 6, "/nested-yield": 3}


def build(fw: Any, asynchronous: bool = False) -> Any:
    Depends = fw.Depends
    app = fw.FastAPI()

    if asynchronous:
        async def dep_a():
            return 1

        async def dep_b(a: Annotated[int, Depends(dep_a)]):
            return a + 1

        async def dep_c(b: Annotated[int, Depends(dep_b)]):
            return b + 1

        async def qa(x: int = 0):
            return x

        async def qb(a: Annotated[int, Depends(qa)], y: int = 0):
            return a + y

        async def qc(b: Annotated[int, Depends(qb)], z: int = 0):
            return b + z

        async def ya():
            yield 1

        async def yb(a: Annotated[int, Depends(ya)]):
            yield a + 1

        async def yc(b: Annotated[int, Depends(yb)]):
            yield b + 1

        @app.get("/plain")
        async def plain():
            return 3

        @app.get("/nested")
        async def nested(c: Annotated[int, Depends(dep_c)]):
            return c

        @app.get("/nested-query")
        async def nested_query(c: Annotated[int, Depends(qc)]):
            return c

        @app.get("/nested-yield")
        async def nested_yield(c: Annotated[int, Depends(yc)]):
            return c

        return app

    def dep_a():
        return 1

    def dep_b(a: Annotated[int, Depends(dep_a)]):
        return a + 1

    def dep_c(b: Annotated[int, Depends(dep_b)]):
        return b + 1

    def qa(x: int = 0):
        return x

    def qb(a: Annotated[int, Depends(qa)], y: int = 0):
        return a + y

    def qc(b: Annotated[int, Depends(qb)], z: int = 0):
        return b + z

    def ya():
        yield 1

    def yb(a: Annotated[int, Depends(ya)]):
        yield a + 1

    def yc(b: Annotated[int, Depends(yb)]):
        yield b + 1

    @app.get("/plain")
    def plain():
        return 3

    @app.get("/nested")
    def nested(c: Annotated[int, Depends(dep_c)]):
        return c

    @app.get("/nested-query")
    def nested_query(c: Annotated[int, Depends(qc)]):
        return c

    @app.get("/nested-yield")
    def nested_yield(c: Annotated[int, Depends(yc)]):
        return c

    return app


def fastrapi_app(asynchronous: bool = False) -> Any:
    return build(fastrapi, asynchronous)


def fastapi_app(asynchronous: bool = False) -> Any:
    return build(fastapi, asynchronous)
