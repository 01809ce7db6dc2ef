# ruff: noqa: B008  (FastAPI-style parameter markers as defaults)
"""The same apps on FastAPI and on fastrapi answer the same requests with the same status, headers and body.

Each ``*_app(fw)`` factory builds one app from the framework namespace ``fw`` (see ``differential.py``);
``check`` sends a request through both frameworks' TestClients and compares the answers.
"""

import dataclasses
import datetime
import enum
import re
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

from pydantic import BaseModel, Field  # noqa: E402

from tests.differential import check, exchange, normalized_headers  # noqa: E402

JSON = {"content-type": "application/json"}

# -- 1. hello ------------------------------------------------------------------------------------


def hello_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/hello")
    def hello():
        return {"Hello": "World"}

    return app


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/hello"), ("GET", "/hello?x=1"), ("POST", "/hello"), ("HEAD", "/hello"), ("GET", "/"),
    ("GET", "/hello/"), ("OPTIONS", "/hello"),
])
def test_hello(method: str, url: str) -> None:
    check(hello_app, method, url)


# -- 2. tutorials ------------------------------------------------------------------------------


def first_steps_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/")
    async def root():
        return {"message": "Hello World"}

    return app


@pytest.mark.parametrize("url", ["/", "/?q=1", "/nothing"])
def test_first_steps(url: str) -> None:
    check(first_steps_app, "GET", url)


def test_first_steps_openapi() -> None:
    check(first_steps_app, "GET", "/openapi.json")


def errors_tutorial001(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    items = {"foo": "The Foo Wrestlers"}

    @app.get("/items/{item_id}")
    async def read_item(item_id: str):
        if item_id not in items:
            raise fw.HTTPException(status_code=404, detail="Item not found")
        return {"item": items[item_id]}

    return app


def errors_tutorial002(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    items = {"foo": "The Foo Wrestlers"}

    @app.get("/items-header/{item_id}")
    async def read_item_header(item_id: str):
        if item_id not in items:
            raise fw.HTTPException(
                status_code=404,
                detail="Item not found",
                headers={"X-Error": "There goes my error"},
            )
        return {"item": items[item_id]}

    return app


class UnicornException(Exception):
    def __init__(self, name: str):
        self.name = name


def errors_tutorial003(fw: SimpleNamespace) -> Any:
    Request = fw.Request
    app = fw.FastAPI()

    @app.exception_handler(UnicornException)
    async def unicorn_exception_handler(request: Request, exc: UnicornException):
        return fw.JSONResponse(
            status_code=418,
            content={"message": f"Oops! {exc.name} did something. There goes a rainbow..."},
        )

    @app.get("/unicorns/{name}")
    async def read_unicorn(name: str):
        if name == "yolo":
            raise UnicornException(name=name)
        return {"unicorn_name": name}

    return app


def errors_tutorial004(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.exception_handler(fw.StarletteHTTPException)
    async def http_exception_handler(request, exc):
        return fw.PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(fw.RequestValidationError)
    async def validation_exception_handler(request, exc):
        message = "Validation errors:"
        for error in exc.errors():
            message += f"\nField: {error['loc']}, Error: {error['msg']}"
        return fw.PlainTextResponse(message, status_code=400)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int):
        if item_id == 3:
            raise fw.HTTPException(status_code=418, detail="Nope! I don't like 3.")
        return {"item_id": item_id}

    return app


def errors_tutorial005(fw: SimpleNamespace) -> Any:
    RequestValidationError = fw.RequestValidationError
    app = fw.FastAPI()

    @app.exception_handler(RequestValidationError)
    async def validation_exception_handler(request, exc: RequestValidationError):
        return fw.JSONResponse(
            status_code=422,
            content=fw.jsonable_encoder({"detail": exc.errors(), "body": exc.body}),
        )

    class Item(BaseModel):
        title: str
        size: int

    @app.post("/items/")
    async def create_item(item: Item):
        return item

    return app


def errors_tutorial006(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    http_exception_handler = fw.http_exception_handler
    request_validation_exception_handler = fw.request_validation_exception_handler

    @app.exception_handler(fw.StarletteHTTPException)
    async def custom_http_exception_handler(request, exc):
        print(f"OMG! An HTTP error!: {exc!r}")
        return await http_exception_handler(request, exc)

    @app.exception_handler(fw.RequestValidationError)
    async def validation_exception_handler(request, exc):
        print(f"OMG! The client sent invalid data!: {exc}")
        return await request_validation_exception_handler(request, exc)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int):
        if item_id == 3:
            raise fw.HTTPException(status_code=418, detail="Nope! I don't like 3.")
        return {"item_id": item_id}

    return app


TUTORIAL_CASES = [
    (errors_tutorial001, "GET", "/items/foo", {}),
    (errors_tutorial001, "GET", "/items/bar", {}),
    (errors_tutorial002, "GET", "/items-header/foo", {}),
    (errors_tutorial002, "GET", "/items-header/bar", {}),
    (errors_tutorial003, "GET", "/unicorns/shinny", {}),
    (errors_tutorial003, "GET", "/unicorns/yolo", {}),
    (errors_tutorial004, "GET", "/items/2", {}),
    (errors_tutorial004, "GET", "/items/3", {}),
    (errors_tutorial004, "GET", "/items/foo", {}),
    (errors_tutorial004, "GET", "/nowhere", {}),
    (errors_tutorial004, "DELETE", "/items/2", {}),
    (errors_tutorial005, "POST", "/items/", {"json": {"title": "towel", "size": "XL"}}),
    (errors_tutorial005, "POST", "/items/", {"json": {"title": "towel", "size": 5}}),
    (errors_tutorial005, "POST", "/items/", {"content": b'{"title": ', "headers": JSON}),
    (errors_tutorial005, "POST", "/items/", {}),
    (errors_tutorial006, "GET", "/items/2", {}),
    (errors_tutorial006, "GET", "/items/3", {}),
    (errors_tutorial006, "GET", "/items/foo", {}),
    (errors_tutorial006, "GET", "/nowhere", {}),
]


@pytest.mark.parametrize(("factory", "method", "url", "kwargs"), TUTORIAL_CASES, ids=[
    f"{i}:{factory.__name__} {method} {url}" for i, (factory, method, url, _) in enumerate(TUTORIAL_CASES)
])
def test_handling_errors_tutorials(factory: Any, method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(factory, method, url, **kwargs)


# -- 3. routing ----------------------------------------------------------------------------------


def routing_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/hello")
    def hello():
        return {"Hello": "World"}

    @app.api_route("/multi-a", methods=["PUT", "GET", "POST"])
    def multi_a():
        return "a"

    @app.api_route("/multi-b", methods=["DELETE", "PATCH", "GET"])
    def multi_b():
        return "b"

    @app.api_route("/multi-c", methods=["post", "options"])
    def multi_c():
        return "c"

    @app.get("/items/")
    def items():
        return ["items"]

    @app.post("/things")
    def things():
        return ["things"]

    @app.get("/ints/{x:int}")
    def ints(x: int):
        return {"x": x}

    @app.get("/floats/{x:float}")
    def floats(x: float):
        return {"x": x}

    @app.get("/files/{p:path}")
    def files(p: str):
        return {"p": p}

    @app.get("/uuids/{u:uuid}")
    def uuids(u: uuid.UUID):
        return {"u": u}

    @app.get("/users/{user_id}")
    def user(user_id: str):
        return {"user_id": user_id}

    @app.get("/users/me")
    def users_me():
        return {"user_id": "the current user"}

    @app.get("/people/me")
    def people_me():
        return {"person": "the current person"}

    @app.get("/people/{person_id}")
    def person(person_id: str):
        return {"person": person_id}

    @app.get("/split")
    def split_get():
        return "get"

    @app.post("/split")
    def split_post():
        return "post"

    @app.put("/split/{x}")
    def split_put(x: str):
        return {"put": x}

    @app.get("/café/{name}")
    def cafe(name: str):
        return {"name": name}

    @app.get("/echo/{name}")
    def echo(name: str):
        return {"name": name}

    @app.api_route("/explicit-head", methods=["GET", "HEAD"])
    def explicit_head():
        return {"explicit": "head"}

    @app.head("/head-only")
    def head_only():
        return fw.Response(headers={"X-Head": "1"})

    @app.api_route("/request/{first}/{second}", methods=["GET", "PATCH"])
    def request_info(first: str, second: str, request: fw.Request):
        return {
            "url": str(request.url), "path": request.url.path, "query": request.url.query,
            "base_url": str(request.base_url), "method": request.method, "path_params": request.path_params,
            "query_params": dict(request.query_params), "y": request.query_params.getlist("y"),
            "host": request.headers["host"], "client": request.client.host if request.client else None,
            "args": [first, second],
        }

    @app.get("/{a}/{b}/deep")
    def deep(a: str, b: str):
        return [a, b]

    return app


ROUTING_CASES = [
    ("GET", "/nope"),
    ("GET", "/hello"),
    ("POST", "/hello"),
    ("PUT", "/hello"),
    ("HEAD", "/hello"),
    ("DELETE", "/multi-a"),
    ("GET", "/multi-a"),
    ("POST", "/multi-a"),
    ("HEAD", "/multi-a"),
    ("POST", "/multi-b"),
    ("PATCH", "/multi-b"),
    ("GET", "/multi-c"),
    ("OPTIONS", "/multi-c"),
    ("GET", "/things"),
    ("GET", "/items"),
    ("GET", "/items?a=1&b=two%20words"),
    ("POST", "/items"),
    ("GET", "/hello/"),
    ("GET", "/hello/?x=1"),
    ("GET", "/hello//"),
    ("GET", "/things/"),
    ("GET", "/ints/42"),
    ("GET", "/ints/-1"),
    ("GET", "/ints/4.5"),
    ("GET", "/ints/abc"),
    ("GET", "/floats/3.25"),
    ("GET", "/floats/3"),
    ("GET", "/floats/.5"),
    ("GET", "/files/a/b/c.txt"),
    ("GET", "/files/"),
    ("GET", "/files"),
    ("GET", "/uuids/6f1e3a5c-1b2d-4c3e-9f00-0123456789ab"),
    ("GET", "/uuids/6F1E3A5C-1B2D-4C3E-9F00-0123456789AB"),
    ("GET", "/uuids/not-a-uuid"),
    ("GET", "/users/me"),
    ("GET", "/users/42"),
    ("GET", "/people/me"),
    ("GET", "/people/42"),
    ("GET", "/split"),
    ("POST", "/split"),
    ("DELETE", "/split"),
    ("PUT", "/split/1"),
    ("GET", "/split/1"),
    ("GET", "/café/crème"),
    ("GET", "/caf%C3%A9/cr%C3%A8me"),
    ("GET", "/café/crème/"),
    ("GET", "/echo/a%20b"),
    ("GET", "/echo/a+b"),
    ("GET", "/echo/%C3%A9t%C3%A9"),
    ("GET", "/echo/a%2Fb"),
    ("GET", "/echo/100%25"),
    ("GET", "/x/y/deep"),
    ("GET", "/x/y/deep/"),
    ("POST", "/hello/"),
    ("GET", "/items?q=caf%C3%A9&x=a+b"),
    ("GET", "/ints/007"),
    ("HEAD", "/explicit-head"),
    ("GET", "/explicit-head"),
    ("HEAD", "/head-only"),
    ("GET", "/head-only"),
    ("GET", "/request/caf%C3%A9/a%20b?x=1&y=%C3%A9&y=2"),
    ("GET", "/request/plain/x?"),
    ("PATCH", "/request/plain/x"),
]


@pytest.mark.parametrize(("method", "url"), ROUTING_CASES)
def test_routing(method: str, url: str) -> None:
    check(routing_app, method, url)


def no_redirect_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(redirect_slashes=False)

    @app.get("/hello")
    def hello():
        return {"Hello": "World"}

    @app.get("/items/")
    def items():
        return ["items"]

    return app


@pytest.mark.parametrize("url", ["/hello", "/hello/", "/items/", "/items", "/items?x=1"])
def test_redirect_slashes_false(url: str) -> None:
    check(no_redirect_app, "GET", url)


# -- 4. return values ------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Image(BaseModel):
    url: str
    name: str


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []
    image: Image | None = None


class Offer(BaseModel):
    name: str
    items: list[Item]
    when: datetime.datetime | None = None


class UserIn(BaseModel):
    username: str
    password: str
    email: str
    full_name: str | None = None


class UserOut(BaseModel):
    username: str
    email: str
    full_name: str | None = None


class Aliased(BaseModel):
    full_name: str = Field(alias="fullName")
    age: int | None = None

    model_config = {"populate_by_name": True}


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = "p"


def returns_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    user = UserIn(username="alice", password="secret", email="alice@example.com")

    @app.get("/dict")
    def get_dict():
        return {"a": 1, "b": [1, 2], "c": {"d": None}, "é": "ünïcode"}

    @app.get("/list")
    def get_list():
        return [1, "two", 3.0, None, True]

    @app.get("/none")
    def get_none():
        return None

    @app.get("/str")
    def get_str():
        return "hello \"world\" é"

    @app.get("/int")
    def get_int():
        return 42

    @app.get("/float")
    def get_float():
        return 1.5

    @app.get("/bool")
    def get_bool():
        return False

    @app.get("/empty")
    def get_empty():
        return {}

    @app.get("/model")
    def get_model():
        image = Image(url="http://example.com/a.png", name="a")
        return Offer(name="o", items=[Item(name="i", price=1.25, tags=["x"], image=image), Item(name="j", price=2)],
                     when=datetime.datetime(2024, 1, 2, 3, 4, 5))

    @app.get("/models")
    def get_models():
        return [Item(name="i", price=1), {"plain": Item(name="j", price=2)}]

    @app.get("/dataclass")
    def get_dataclass():
        return Point(1, 2.5)

    @app.get("/values")
    def get_values():
        return {
            "naive": datetime.datetime(2024, 5, 6, 7, 8, 9, 123456),
            "aware": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
            "offset": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            "date": datetime.date(2024, 5, 6),
            "time": datetime.time(7, 8, 9),
            "delta": datetime.timedelta(days=1, seconds=3.5),
            "uuid": uuid.UUID("6f1e3a5c-1b2d-4c3e-9f00-0123456789ab"),
            "decimal": Decimal("1.10"),
            "decimal_int": Decimal("3"),
            "enum": Color.RED,
            "intenum": Level.HIGH,
            "set": {3, 1, 2},
            "frozenset": frozenset({5}),
            "tuple": (1, "a"),
            "bytes": b"raw",
            "nested": [{"when": datetime.date(2020, 2, 29)}],
        }

    @app.get("/enum-keys")
    def get_enum_keys():
        return {Color.BLUE: 1, "plain": 2}

    @app.get("/response")
    def get_response():
        return fw.Response(content="raw text", media_type="text/plain", headers={"X-Custom": "yes"})

    @app.get("/response-bytes")
    def get_response_bytes():
        return fw.Response(content=b"\x00\x01", media_type="application/octet-stream", status_code=203)

    @app.get("/response-empty")
    def get_response_empty():
        return fw.Response(status_code=202)

    @app.get("/json-response")
    def get_json_response():
        return fw.JSONResponse({"a": "é", "b": [1, 2]}, status_code=202, headers={"X-Custom": "j"})

    @app.get("/html")
    def get_html():
        return fw.HTMLResponse("<h1>Hi é</h1>", headers={"X-Frame-Options": "DENY"})

    @app.get("/text")
    def get_text():
        return fw.PlainTextResponse("plain é", status_code=418)

    @app.get("/redirect")
    def get_redirect():
        return fw.RedirectResponse("/dict")

    @app.get("/redirect-302")
    def get_redirect_302():
        return fw.RedirectResponse("https://example.com/a path?q=ü", status_code=302)

    @app.get("/set-cookie")
    def get_set_cookie():
        response = fw.JSONResponse({"ok": True})
        response.set_cookie("session", "abc123", max_age=60, httponly=True)
        response.set_cookie("theme", "dark", path="/app", domain="example.com", secure=True, samesite="strict")
        response.set_cookie("spaced", "a b;c")
        return response

    @app.get("/delete-cookie")
    def get_delete_cookie():
        response = fw.PlainTextResponse("bye")
        response.delete_cookie("session")
        return response

    @app.get("/injected-response")
    def get_injected_response(response: fw.Response):
        response.set_cookie("fav", "blue")
        response.headers["X-Injected"] = "1"
        response.status_code = 202
        return {"injected": True}

    @app.post("/created-overridden", status_code=201)
    def post_created_overridden(response: fw.Response):
        response.status_code = 200
        return {"overridden": True}

    @app.get("/injected-then-returned")
    def get_injected_then_returned(response: fw.Response):
        response.headers["X-Lost"] = "1"
        return fw.PlainTextResponse("own response")

    @app.post("/created", status_code=201)
    def post_created():
        return {"created": True}

    @app.delete("/no-content", status_code=204)
    def delete_no_content():
        return None

    @app.delete("/no-content-response", status_code=204)
    def delete_no_content_response():
        return fw.Response(status_code=204)

    @app.get("/status-from-status-module", status_code=fw.status.HTTP_202_ACCEPTED)
    def get_accepted():
        return "accepted"

    @app.post("/user", response_model=UserOut)
    def post_user():
        return user

    @app.post("/user-dict", response_model=UserOut)
    def post_user_dict():
        return {"username": "bob", "password": "hunter2", "email": "bob@example.com", "extra": 1}

    @app.get("/user-annotated")
    def get_user_annotated() -> UserOut:
        return user  # type: ignore[return-value]

    @app.get("/users-list", response_model=list[UserOut])
    def get_users_list():
        return [user, user]

    @app.get("/user-exclude-unset", response_model=UserOut, response_model_exclude_unset=True)
    def get_user_exclude_unset():
        return UserOut(username="x", email="x@example.com")

    @app.get("/user-none-ok", response_model=UserOut | None)
    def get_user_none_ok():
        return None

    @app.get("/invalid-response", response_model=UserOut)
    def get_invalid_response():
        return {"username": "no email"}

    @app.get("/invalid-annotated")
    def get_invalid_annotated() -> int:
        return "not a number"  # type: ignore[return-value]

    @app.get("/response-model-none", response_model=None)
    def get_response_model_none() -> Point:
        return Point(3, 4)

    @app.get("/annotated-response")
    def get_annotated_response() -> fw.JSONResponse:
        return fw.JSONResponse({"annotated": "response"})

    @app.get("/html-class", response_class=fw.HTMLResponse)
    def get_html_class():
        return "<p>as html</p>"

    @app.get("/text-class", response_class=fw.PlainTextResponse)
    def get_text_class():
        return "as text"

    @app.get("/numbers")
    def get_numbers():
        return {"big": 2**70, "exp": 1e100, "neg_zero": -0.0, "small": 1e-7, "third": 1 / 3}

    @app.get("/nan")
    def get_nan():
        return {"x": float("nan")}

    @app.get("/aliased", response_model=Aliased)
    def get_aliased():
        return Aliased(full_name="A B", age=3)

    @app.get("/aliased-plain")
    def get_aliased_plain():
        return Aliased(full_name="A B")

    @app.get("/aliased-not-by-alias", response_model=Aliased, response_model_by_alias=False)
    def get_aliased_not_by_alias():
        return {"fullName": "C D"}

    @app.get("/exclude-none", response_model=UserOut, response_model_exclude_none=True)
    def get_exclude_none():
        return {"username": "n", "email": "n@example.com", "full_name": None}

    @app.get("/include", response_model=UserOut, response_model_include={"username"})
    def get_include():
        return user

    @app.get("/exclude", response_model=UserOut, response_model_exclude={"email"})
    def get_exclude():
        return user

    @app.get("/union", response_model=UserOut | Point)
    def get_union():
        return {"x": 1, "y": 2}

    @app.get("/tuple")
    def get_tuple():
        return (1, "two")

    @app.get("/bytes")
    def get_bytes():
        return b"bytes"

    @app.delete("/no-content-body", status_code=204)
    def delete_no_content_body():
        return {"ignored": True}

    @app.get("/not-modified", status_code=304)
    def get_not_modified():
        return None

    @app.get("/async")
    async def get_async():
        return {"async": True}

    return app


RETURN_URLS = [
    "/dict", "/list", "/none", "/str", "/int", "/float", "/bool", "/empty", "/model", "/models", "/dataclass",
    "/values", "/enum-keys", "/response", "/response-bytes", "/response-empty", "/json-response", "/html", "/text",
    "/redirect", "/redirect-302", "/set-cookie", "/injected-response", "/status-from-status-module",
    "/user-annotated", "/users-list", "/user-exclude-unset", "/user-none-ok", "/invalid-response",
    "/invalid-annotated", "/response-model-none", "/annotated-response", "/html-class", "/text-class", "/async",
    "/numbers", "/nan", "/aliased", "/aliased-plain", "/aliased-not-by-alias", "/exclude-none", "/include",
    "/exclude", "/union", "/tuple", "/bytes", "/not-modified",
]


@pytest.mark.parametrize("url", RETURN_URLS)
def test_return_values(url: str) -> None:
    check(returns_app, "GET", url)


@pytest.mark.parametrize(("method", "url"), [
    ("POST", "/created"), ("DELETE", "/no-content"), ("DELETE", "/no-content-response"), ("POST", "/user"),
    ("POST", "/user-dict"), ("HEAD", "/dict"), ("DELETE", "/no-content-body"),
    ("POST", "/created-overridden"), ("GET", "/injected-then-returned"),
])
def test_return_values_other_methods(method: str, url: str) -> None:
    check(returns_app, method, url)


_EXPIRES = re.compile(r"expires=[^;]+")


def test_delete_cookie() -> None:
    # The expiry date is "now", so it can differ by a second between the two answers.
    expected, actual = exchange(returns_app, "GET", "/delete-cookie")
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    ignore = frozenset({"set-cookie"})
    assert normalized_headers(actual, ignore) == normalized_headers(expected, ignore)
    assert _EXPIRES.sub("expires=X", actual.headers["set-cookie"]) == \
        _EXPIRES.sub("expires=X", expected.headers["set-cookie"])


# -- 5. exceptions ----------------------------------------------------------------------------


class NotFoundItem(Exception):
    pass


def exceptions_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    class ItemMissing(fw.HTTPException):
        def __init__(self, item_id: str) -> None:
            super().__init__(status_code=404, detail=f"no item {item_id}", headers={"X-Item": item_id})

    @app.get("/boom")
    def boom():
        raise ValueError("boom")

    @app.get("/async-boom")
    async def async_boom():
        raise RuntimeError("async boom")

    @app.get("/http/{code:int}")
    def http(code: int):
        raise fw.HTTPException(status_code=code)

    @app.get("/http-detail")
    def http_detail():
        raise fw.HTTPException(status_code=400, detail={"errors": ["a", "b"], "n": 1})

    @app.get("/http-headers")
    def http_headers():
        raise fw.HTTPException(status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/http-204")
    def http_204():
        raise fw.HTTPException(status_code=204, headers={"X-Empty": "1"})

    @app.get("/http-304")
    def http_304():
        raise fw.HTTPException(status_code=304)

    @app.get("/subclass/{item_id}")
    def subclass(item_id: str):
        raise ItemMissing(item_id)

    @app.get("/http-405")
    def http_405():
        raise fw.HTTPException(status_code=405, headers={"Allow": "POST"})

    @app.get("/http-unicode")
    def http_unicode():
        raise fw.HTTPException(status_code=400, detail="naïve ☃")

    @app.get("/starlette-base")
    def starlette_base():
        raise fw.StarletteHTTPException(status_code=409, detail="conflict")

    return app


@pytest.mark.parametrize("url", [
    "/boom", "/async-boom",
    "/http/499",
    "/http/400", "/http/403", "/http/404", "/http/418", "/http/500", "/http/503",
    "/http-detail", "/http-headers", "/http-204", "/http-304", "/subclass/7", "/starlette-base", "/http-405",
    "/http-unicode",
])
def test_exceptions(url: str) -> None:
    check(exceptions_app, "GET", url)


def custom_handlers_app(fw: SimpleNamespace) -> Any:
    def not_found(request, exc):
        return fw.JSONResponse({"missing": request.url.path}, status_code=404)

    def server_error(request, exc):
        return fw.JSONResponse({"oops": type(exc).__name__}, status_code=500)

    app = fw.FastAPI(exception_handlers={404: not_found, 500: server_error})

    @app.exception_handler(NotFoundItem)
    async def not_found_item(request, exc):
        return fw.PlainTextResponse(f"not found: {exc}", status_code=410)

    @app.exception_handler(ZeroDivisionError)
    def broken_handler(request, exc):
        raise KeyError("handler failed")

    @app.get("/raise-404")
    def raise_404():
        raise fw.HTTPException(404, detail="gone")

    @app.get("/raise-500")
    def raise_500():
        raise fw.HTTPException(500, detail="explicit")

    @app.get("/raise-400")
    def raise_400():
        raise fw.HTTPException(400)

    @app.get("/crash")
    def crash():
        raise ValueError("crash")

    @app.get("/item")
    def item():
        raise NotFoundItem("item 1")

    @app.get("/zero")
    def zero():
        return 1 / 0

    return app


@pytest.mark.parametrize("url", ["/nowhere", "/raise-404", "/raise-500", "/raise-400", "/crash", "/item", "/zero"])
def test_custom_exception_handlers(url: str) -> None:
    check(custom_handlers_app, "GET", url)


def catch_all_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.exception_handler(Exception)
    async def catch_all(request, exc):
        return fw.JSONResponse({"caught": str(exc)}, status_code=500, headers={"X-Caught": "1"})

    @app.get("/crash")
    def crash():
        raise ValueError("bad value")

    @app.get("/http")
    def http():
        raise fw.HTTPException(418)

    @app.get("/validate/{x}")
    def validate(x: int):
        return x

    return app


@pytest.mark.parametrize("url", ["/crash", "/http", "/validate/1", "/validate/no", "/nowhere"])
def test_catch_all_exception_handler(url: str) -> None:
    check(catch_all_app, "GET", url)


# -- 6. parameters ----------------------------------------------------------------------------


class BodyItem(BaseModel):
    name: str
    price: float
    description: str | None = None
    tax: float | None = None


def params_app(fw: SimpleNamespace) -> Any:
    Query, Header, Cookie, Body = fw.Query, fw.Header, fw.Cookie, fw.Body
    app = fw.FastAPI()

    @app.get("/items/{item_id}")
    def read_item(item_id: int):
        return {"item_id": item_id}

    @app.get("/search")
    def search(q: str):
        return {"q": q}

    @app.get("/optional")
    def optional(q: str | None = None, limit: int = 10, skip: int = 0):
        return {"q": q, "limit": limit, "skip": skip}

    @app.get("/list")
    def query_list(q: list[str] | None = Query(None)):
        return {"q": q}

    @app.get("/list-int")
    def query_list_int(n: list[int] = Query([])):
        return {"n": n}

    @app.get("/flag")
    def flag(on: bool = False):
        return {"on": on}

    @app.get("/constrained")
    def constrained(q: str = Query(..., min_length=2, max_length=5), n: int = Query(1, gt=0, le=10)):
        return {"q": q, "n": n}

    @app.get("/alias")
    def alias(item_query: str = Query(alias="item-query")):
        return {"item_query": item_query}

    @app.get("/headers")
    def headers(user_agent: str | None = Header(None), x_token: list[str] | None = Header(None),
                strange_header: str | None = Header(None, convert_underscores=False)):
        return {"user_agent": user_agent, "x_token": x_token, "strange_header": strange_header}

    @app.get("/required-header")
    def required_header(x_key: str = Header()):
        return {"x_key": x_key}

    @app.get("/cookies")
    def cookies(ads_id: str | None = Cookie(None), session: int | None = Cookie(None)):
        return {"ads_id": ads_id, "session": session}

    @app.post("/body")
    def body(item: BodyItem):
        return item

    @app.post("/body-optional")
    def body_optional(item: BodyItem | None = None):
        return {"item": item}

    @app.post("/embed")
    def embed(item: BodyItem = Body(embed=True)):
        return {"got": item}

    @app.put("/mixed/{item_id}")
    def mixed(item_id: int, item: BodyItem, q: str | None = None):
        return {"item_id": item_id, "q": q, **item.model_dump()}

    @app.post("/dict-body")
    def dict_body(payload: dict):
        return payload

    @app.post("/list-body")
    def list_body(numbers: list[int]):
        return {"sum": sum(numbers)}

    @app.post("/models-body")
    def models_body(items: list[BodyItem]):
        return items

    @app.post("/scalar-body")
    def scalar_body(count: int = Body()):
        return {"count": count}

    @app.get("/query-validation")
    def query_validation(q: str | None = Query(None, max_length=3), n: float = 1.0):
        return {"q": q, "n": n}

    @app.post("/two-bodies")
    def two_bodies(item: BodyItem, importance: int = Body()):
        return {"item": item, "importance": importance}

    return app


VALID_ITEM = {"name": "Foo", "price": 35.4}

PARAM_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/5", {}),
    ("GET", "/items/foo", {}),
    ("GET", "/items/5.5", {}),
    ("GET", "/search", {}),
    ("GET", "/search?q=", {}),
    ("GET", "/search?q=abc&q=def", {}),
    ("GET", "/optional", {}),
    ("GET", "/optional?q=x&limit=3", {}),
    ("GET", "/optional?limit=x&skip=y", {}),
    ("GET", "/list", {}),
    ("GET", "/list?q=a&q=b&q=", {}),
    ("GET", "/list-int?n=1&n=2", {}),
    ("GET", "/list-int?n=1&n=x", {}),
    ("GET", "/constrained?q=a&n=0", {}),
    ("GET", "/constrained?q=abc&n=10", {}),
    ("GET", "/constrained?q=abcdefg", {}),
    ("GET", "/alias?item-query=v", {}),
    ("GET", "/alias?item_query=v", {}),
    ("GET", "/headers", {"headers": {"X-Token": "t1", "strange_header": "s"}}),
    # A comma in a list header splits it (RFC 9110 list syntax; see test_differential_params.py).
    ("GET", "/headers", {"headers": {"X-Token": "t1", "User-Agent": "ua/1.0"}}),
    ("GET", "/required-header", {}),
    ("GET", "/required-header", {"headers": {"X-Key": "k"}}),
    ("GET", "/cookies", {}),
    ("GET", "/cookies", {"headers": {"Cookie": "ads_id=abc; session=5"}}),
    ("GET", "/cookies", {"headers": {"Cookie": "session=notanint"}}),
    ("POST", "/body", {"json": VALID_ITEM}),
    ("POST", "/body", {"json": {**VALID_ITEM, "tax": 1.5, "description": "d", "extra": True}}),
    ("POST", "/body", {"json": {"name": "Foo"}}),
    ("POST", "/body", {"json": {"name": 1, "price": "cheap"}}),
    ("POST", "/body", {"json": [1, 2]}),
    ("POST", "/body", {"json": None}),
    ("POST", "/body", {"content": b'{"name": "Foo", ', "headers": JSON}),
    ("POST", "/body", {"content": b"", "headers": JSON}),
    ("POST", "/body", {}),
    ("POST", "/body", {"content": b'{"name": "Foo", "price": 1}'}),
    ("POST", "/body", {"content": b'{"name": "Foo", "price": 1}', "headers": {"content-type": "text/plain"}}),
    ("POST", "/body", {"content": b'{"name": "Foo", "price": 1}',
                       "headers": {"content-type": "application/vnd.api+json"}}),
    ("POST", "/body-optional", {}),
    ("POST", "/body-optional", {"json": VALID_ITEM}),
    ("POST", "/embed", {"json": {"item": VALID_ITEM}}),
    ("POST", "/embed", {"json": VALID_ITEM}),
    ("POST", "/embed", {}),
    ("PUT", "/mixed/3?q=z", {"json": VALID_ITEM}),
    ("PUT", "/mixed/x", {"json": {"name": 2}}),
    ("POST", "/two-bodies", {"json": {"item": VALID_ITEM, "importance": 5}}),
    ("POST", "/two-bodies", {"json": {"item": VALID_ITEM}}),
    ("POST", "/two-bodies", {"json": {"item": {"name": "x"}, "importance": "high"}}),
    ("POST", "/embed", {"json": [1]}),
    ("POST", "/embed", {"json": {"item": {"name": "x"}}}),
    ("POST", "/body", {"content": b'{"name": "Foo", "price": 1}',
                       "headers": {"content-type": "application/json; charset=utf-8"}}),
    ("POST", "/body", {"content": b"\xff\xfe", "headers": JSON}),
    ("POST", "/body", {"content": b"nul", "headers": JSON}),
    ("POST", "/body", {"content": b"null", "headers": JSON}),
    ("POST", "/body-optional", {"content": b"null", "headers": JSON}),
    ("POST", "/embed", {"content": b"null", "headers": JSON}),
    ("POST", "/embed", {"content": b'"text"', "headers": JSON}),
    ("POST", "/embed", {"content": b'{"item": {"name": "x", "price": 1}}', "headers": {"content-type": "text/plain"}}),
    ("POST", "/scalar-body", {"content": b"null", "headers": JSON}),
    ("POST", "/body", {"content": b'{"name": "Foo", "price": 1}   ', "headers": JSON}),
    ("POST", "/dict-body", {"json": {"a": [1, {"b": None}]}}),
    ("POST", "/dict-body", {"json": [1]}),
    ("POST", "/list-body", {"json": [1, 2, 3]}),
    ("POST", "/list-body", {"json": [1, "x"]}),
    ("POST", "/models-body", {"json": [VALID_ITEM, {"name": "y"}]}),
    ("POST", "/scalar-body", {"json": 5}),
    ("POST", "/scalar-body", {"json": "5"}),
    ("POST", "/scalar-body", {"json": "five"}),
    ("GET", "/flag?on=yes", {}),
    ("GET", "/flag?on=on", {}),
    ("GET", "/flag?on=1", {}),
    ("GET", "/flag?on=True", {}),
    ("GET", "/flag?on=off", {}),
    ("GET", "/flag?on=no", {}),
    ("GET", "/flag?on=0", {}),
    ("GET", "/flag?on=FALSE", {}),
    ("GET", "/flag?on=maybe", {}),
    ("GET", "/flag?on=", {}),
    ("GET", "/optional?limit=", {}),
    ("GET", "/items/-5", {}),
    ("GET", "/search?q=a+b%26c", {}),
    ("GET", "/query-validation?q=abcd&n=x", {}),
    ("GET", "/query-validation?n=inf", {}),
    ("GET", "/cookies", {"headers": {"Cookie": 'ads_id="a b"; session=1'}}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), PARAM_CASES,
                         ids=[f"{i}:{method} {url}" for i, (method, url, _) in enumerate(PARAM_CASES)])
def test_params(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(params_app, method, url, **kwargs)


def test_repeated_header_as_list() -> None:
    check(params_app, "GET", "/headers", headers=[("X-Token", "t1"), ("X-Token", "t2")])
