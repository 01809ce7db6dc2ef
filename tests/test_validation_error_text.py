"""A validation error's text names the endpoint it came from, as FastAPI 0.165's: ``File "...", line N, in
<function>`` and ``<METHOD> <root path><path template>``, for request and response validation, in a mounted app
too; a custom exception handler sees it (it is what a logged error shows)."""

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from tests.differential import FASTAPI, FASTRAPI


class Item(BaseModel):
    id: int
    name: str


def context_app(fw: SimpleNamespace, seen: list[str]) -> Any:
    app = fw.FastAPI()
    sub = fw.FastAPI()

    def remember(request: Any, exc: Exception) -> Any:
        seen.append(str(exc))
        return fw.JSONResponse({"seen": True}, status_code=418)

    for target in (app, sub):
        target.add_exception_handler(fw.RequestValidationError, remember)
        target.add_exception_handler(fw.ResponseValidationError, remember)

    @app.get("/users/{user_id}")
    def get_user(user_id: int) -> dict[str, int]:
        return {"user_id": user_id}

    @app.get("/items/", response_model=Item)
    def get_item() -> Any:
        return {"name": "Widget"}

    @sub.post("/things/{thing_id}")
    def make_thing(thing_id: int, item: Item) -> Item:
        return item

    app.mount("/sub", sub)
    return app


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("GET", "/users/abc", {}), ("GET", "/items/", {}), ("POST", "/sub/things/1", {"json": {"id": "x"}}),
])
def test_the_error_text_names_the_endpoint_as_fastapi(method: str, url: str, kwargs: dict[str, Any]) -> None:
    texts = []
    for fw in (FASTAPI, FASTRAPI):
        seen: list[str] = []
        response = fw.TestClient(context_app(fw, seen)).request(method, url, **kwargs)
        assert response.status_code == 418
        texts.append(seen)
    assert texts[1] == texts[0]
    assert f'File "{__file__}"' in texts[1][0]


def test_an_error_raised_by_hand_has_no_endpoint_until_it_passes_a_route() -> None:
    error = FASTRAPI.RequestValidationError([{"loc": ("query", "q"), "msg": "bad"}])
    assert str(error) == "1 validation error:\n  {'loc': ('query', 'q'), 'msg': 'bad'}"
    error.endpoint_ctx = {"path": "GET /api/test"}
    assert str(error).endswith("}\n\n  Endpoint: GET /api/test")
    assert error.endpoint_path == "GET /api/test" and error.endpoint_function is None
