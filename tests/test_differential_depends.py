# ruff: noqa: B008  (FastAPI-style markers as defaults)
"""FastAPI's dependency tutorials (and the edges around them), on FastAPI and on fastrapi: the same
requests get the same status, headers and body, and the dependencies run in the same order.

Each ``*_app(fw)`` factory is the tutorial's code with the imports taken from ``dep(fw)``; apps
that record what ran keep the list in ``app.state.log``, compared with ``same_log``.
"""

import contextvars
from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
import fastapi.responses  # noqa: E402
import fastapi.security  # noqa: E402
import fastapi.security.http  # noqa: E402
import fastapi.security.oauth2  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import fastrapi  # noqa: E402
import fastrapi.responses  # noqa: E402
import fastrapi.security  # noqa: E402
import fastrapi.security.http  # noqa: E402
import fastrapi.security.oauth2  # noqa: E402
from tests.differential import FASTAPI, FASTRAPI, check, clients, exchange, normalized_headers  # noqa: E402

_NAMES = ("Depends", "Security", "BackgroundTasks", "Form", "Body")


def dep(fw: SimpleNamespace) -> SimpleNamespace:
    """``Depends``, ``Security``, ``BackgroundTasks``, ``Form``, ``Body`` and everything of
    ``<framework>.security`` for the framework ``fw``."""
    top, security = (fastapi, fastapi.security) if fw.name == "fastapi" else (fastrapi, fastrapi.security)
    ns = SimpleNamespace(**{name: getattr(top, name) for name in _NAMES})
    for module in (security, security.http, security.oauth2):
        for name in dir(module):
            if not name.startswith("_") and not hasattr(ns, name):
                setattr(ns, name, getattr(module, name))
    return ns


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def same_log(factory: Any, method: str, url: str, **kwargs: Any) -> list[str]:
    """Send the request to both apps; assert the same answer and the same ``app.state.log``."""
    expected_client, actual_client = clients(factory)
    for client in (expected_client, actual_client):
        client.app.state.log.clear()
    expected, actual = exchange(factory, method, url, **kwargs)
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert normalized_headers(actual) == normalized_headers(expected)
    assert actual_client.app.state.log == expected_client.app.state.log
    return list(expected_client.app.state.log)


# -- first steps, Annotated aliases ------------------------------------------------------------


def first_steps_app(fw: SimpleNamespace) -> Any:
    Depends = dep(fw).Depends
    app = fw.FastAPI()

    async def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100):
        return {"q": q, "skip": skip, "limit": limit}

    CommonsDep = Annotated[dict, Depends(common_parameters)]

    @app.get("/items/")
    async def read_items(commons: Annotated[dict, Depends(common_parameters)]):
        return commons

    @app.get("/users/")
    async def read_users(commons: CommonsDep):
        return commons

    @app.get("/sync/")
    def read_sync(commons: dict = Depends(common_parameters)):
        return commons

    return app


@pytest.mark.parametrize("url", [
    "/items/", "/items/?q=foo", "/items/?q=foo&skip=5", "/items/?q=foo&skip=5&limit=30", "/users/?limit=x",
    "/users/?skip=1&limit=2", "/sync/?skip=a&limit=b", "/sync/?q=1",
])
def test_first_steps(url: str) -> None:
    check(first_steps_app, "GET", url)


# -- classes as dependencies ---------------------------------------------------------------------


def classes_app(fw: SimpleNamespace) -> Any:
    Depends = dep(fw).Depends
    app = fw.FastAPI()
    fake_items_db = [{"item_name": "Foo"}, {"item_name": "Bar"}, {"item_name": "Baz"}]

    class CommonQueryParams:
        def __init__(self, q: str | None = None, skip: int = 0, limit: int = 100):
            self.q = q
            self.skip = skip
            self.limit = limit

    def answer(commons: CommonQueryParams) -> dict[str, Any]:
        response: dict[str, Any] = {}
        if commons.q:
            response.update({"q": commons.q})
        response.update({"items": fake_items_db[commons.skip: commons.skip + commons.limit]})
        return response

    @app.get("/items/")  # tutorial002
    async def read_items(commons: Annotated[CommonQueryParams, Depends(CommonQueryParams)]):
        return answer(commons)

    @app.get("/any/")  # tutorial003
    async def read_any(commons: Annotated[Any, Depends(CommonQueryParams)]):
        return answer(commons)

    @app.get("/short/")  # tutorial004
    async def read_short(commons: Annotated[CommonQueryParams, Depends()]):
        return answer(commons)

    @app.get("/default/")
    def read_default(commons: CommonQueryParams = Depends()):
        return answer(commons)

    class Paged(BaseModel):
        page: int = 1

    @app.get("/model/")
    def read_model(paged: Annotated[Paged, Depends()]):
        return paged

    return app


@pytest.mark.parametrize("url", [
    "/items/", "/items/?q=foo", "/items/?skip=1", "/items/?skip=1&limit=1", "/items/?limit=x", "/any/?q=bar",
    "/short/?skip=2", "/default/?q=z&limit=1", "/model/", "/model/?page=3", "/model/?page=x",
])
def test_classes_as_dependencies(url: str) -> None:
    check(classes_app, "GET", url)


# -- sub-dependencies ----------------------------------------------------------------------------


def sub_dependencies_app(fw: SimpleNamespace) -> Any:
    Depends, Cookie = dep(fw).Depends, fw.Cookie
    app = fw.FastAPI()

    def query_extractor(q: str | None = None):
        return q

    def query_or_cookie_extractor(q: Annotated[str, Depends(query_extractor)],
                                  last_query: Annotated[str | None, Cookie()] = None):
        if not q:
            return last_query
        return q

    @app.get("/items/")
    async def read_query(query_or_default: Annotated[str, Depends(query_or_cookie_extractor)]):
        return {"q_or_cookie": query_or_default}

    def level_a(a: int):
        return a

    async def level_b(a: Annotated[int, Depends(level_a)], b: int = 2):
        return a * b

    def level_c(b: Annotated[int, Depends(level_b)], c: Annotated[int, fw.Header()] = 3):
        return b * c

    @app.get("/deep/{a}")
    def deep(c: Annotated[int, Depends(level_c)], a: int):
        return {"c": c, "a": a}

    return app


@pytest.mark.parametrize(("url", "cookies"), [
    ("/items/", {}), ("/items/?q=foo", {}), ("/items/", {"last_query": "bar"}), ("/items/?q=foo", {"last_query": "b"}),
    ("/deep/2", {}), ("/deep/2?b=5", {}), ("/deep/x?b=y", {}),
])
def test_sub_dependencies(url: str, cookies: dict[str, str]) -> None:
    check(sub_dependencies_app, "GET", url, headers=cookie_header(cookies))


def test_sub_dependencies_header_errors() -> None:
    check(sub_dependencies_app, "GET", "/deep/x?b=y", headers={"c": "z"})


# -- dependencies in path operation decorators, global dependencies -------------------------------


def decorator_app(fw: SimpleNamespace, global_deps: bool = False) -> Any:
    Depends, Header, HTTPException = dep(fw).Depends, fw.Header, fw.HTTPException

    async def verify_token(x_token: Annotated[str, Header()]):
        if x_token != "fake-super-secret-token":
            raise HTTPException(status_code=400, detail="X-Token header invalid")

    async def verify_key(x_key: Annotated[str, Header()]):
        if x_key != "fake-super-secret-key":
            raise HTTPException(status_code=400, detail="X-Key header invalid")
        return x_key

    if global_deps:  # tutorial012
        app = fw.FastAPI(dependencies=[Depends(verify_token), Depends(verify_key)])

        @app.get("/items/")
        async def read_items():
            return [{"item": "Portal Gun"}, {"item": "Plumbus"}]

        @app.get("/users/")
        async def read_users():
            return [{"username": "Rick"}, {"username": "Morty"}]

        return app
    app = fw.FastAPI()  # tutorial006

    @app.get("/items/", dependencies=[Depends(verify_token), Depends(verify_key)])
    async def read_items():
        return [{"item": "Foo"}, {"item": "Bar"}]

    return app


def global_app(fw: SimpleNamespace) -> Any:
    return decorator_app(fw, global_deps=True)


GOOD = {"x-token": "fake-super-secret-token", "x-key": "fake-super-secret-key"}


@pytest.mark.parametrize("factory", [decorator_app, global_app])
@pytest.mark.parametrize("headers", [
    {}, GOOD, {**GOOD, "x-token": "invalid"}, {**GOOD, "x-key": "invalid"}, {"x-token": "fake-super-secret-token"},
])
def test_decorator_and_global_dependencies(factory: Any, headers: dict[str, str]) -> None:
    check(factory, "GET", "/items/", headers=headers)
    if factory is global_app:
        check(factory, "GET", "/users/", headers=headers)


# -- callable instances (advanced dependencies) --------------------------------------------------


def callable_instance_app(fw: SimpleNamespace) -> Any:
    Depends = dep(fw).Depends
    app = fw.FastAPI()

    class FixedContentQueryChecker:
        def __init__(self, fixed_content: str):
            self.fixed_content = fixed_content

        def __call__(self, q: str = ""):
            if q:
                return self.fixed_content in q
            return False

    checker = FixedContentQueryChecker("bar")

    class AsyncChecker:
        async def __call__(self, q: str = ""):
            return q.upper()

    @app.get("/query-checker/")
    async def read_query_check(fixed_content_included: Annotated[bool, Depends(checker)]):
        return {"fixed_content_in_query": fixed_content_included}

    @app.get("/async-instance/")
    def read_async_instance(value: Annotated[str, Depends(AsyncChecker())]):
        return value

    return app


@pytest.mark.parametrize("url", [
    "/query-checker/", "/query-checker/?q=foo", "/query-checker/?q=barbell", "/async-instance/?q=abc",
])
def test_callable_instances(url: str) -> None:
    check(callable_instance_app, "GET", url)


# -- caching: one call per request, use_cache=False ----------------------------------------------


def cache_app(fw: SimpleNamespace) -> Any:
    Depends = dep(fw).Depends
    app = fw.FastAPI()
    app.state.log = []

    def counter(q: int = 0):
        app.state.log.append(f"counter {q}")
        return q

    async def doubler(value: Annotated[int, Depends(counter)]):
        app.state.log.append("doubler")
        return value * 2

    @app.get("/cached")
    def cached(a: Annotated[int, Depends(counter)], b: Annotated[int, Depends(doubler)],
               c: Annotated[int, Depends(counter)]):
        return [a, b, c]

    @app.get("/uncached")
    def uncached(a: Annotated[int, Depends(counter, use_cache=False)], b: Annotated[int, Depends(doubler)],
                 c: Annotated[int, Depends(counter, use_cache=False)]):
        return [a, b, c]

    @app.get("/route-level", dependencies=[Depends(counter), Depends(doubler)])
    def route_level(a: Annotated[int, Depends(counter)]):
        return a

    return app


@pytest.mark.parametrize("url", [
    "/cached", "/cached?q=3", "/cached?q=x", "/uncached?q=2", "/uncached?q=x", "/route-level?q=1", "/route-level?q=y",
])
def test_one_call_per_request_unless_use_cache_false(url: str) -> None:
    same_log(cache_app, "GET", url)


# -- what dependencies can take ------------------------------------------------------------------


def inputs_app(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    Depends, BackgroundTasks = d.Depends, d.BackgroundTasks
    app = fw.FastAPI()
    app.state.log = []

    class Item(BaseModel):
        name: str
        price: float = 0

    def path_and_query(item_id: int, q: str | None = None):
        return {"item_id": item_id, "q": q}

    def headers_and_cookies(user_agent: Annotated[str, fw.Header()], session: Annotated[str, fw.Cookie()] = "none"):
        return {"agent": user_agent, "session": session}

    def from_body(item: Item):
        return item.name

    def sets_header(response: fw.Response, request: fw.Request):
        response.headers["x-dep"] = request.url.path
        response.status_code = 201
        return "set"

    def adds_task(tasks: BackgroundTasks):
        tasks.add_task(app.state.log.append, "dep task")
        return tasks

    @app.put("/items/{item_id}")
    def update(loc: Annotated[dict, Depends(path_and_query)], meta: Annotated[dict, Depends(headers_and_cookies)],
               name: Annotated[str, Depends(from_body)], flag: Annotated[str, Depends(sets_header)],
               tasks_from_dep: Annotated[Any, Depends(adds_task)], tasks: BackgroundTasks,
               extra: Annotated[int, d.Body()] = 1):
        tasks.add_task(app.state.log.append, "endpoint task")
        return {**loc, **meta, "name": name, "flag": flag, "same_tasks": tasks_from_dep is tasks, "extra": extra}

    def form_user(username: Annotated[str, d.Form()], password: Annotated[str, d.Form()]):
        return username + ":" + password

    @app.post("/login")
    def login(user: Annotated[str, Depends(form_user)], remember: Annotated[bool, d.Form()] = False):
        return {"user": user, "remember": remember}

    def single_body(item: Item):
        return item

    @app.post("/single")
    def single(item: Annotated[Item, Depends(single_body)]):
        return item

    return app


ITEM = {"item": {"name": "Foo", "price": 1.5}, "extra": 3}


@pytest.mark.parametrize(("url", "body", "cookies"), [
    ("/items/1?q=a", ITEM, {"session": "s1"}),
    ("/items/1", {"item": {"name": "Foo"}}, {}),
    ("/items/x?q=a", {"item": {"price": "y"}, "extra": "z"}, {}),
    ("/items/2", None, {}),
    ("/items/2", [1], {}),
])
def test_dependencies_take_what_endpoints_take(url: str, body: Any, cookies: dict[str, str]) -> None:
    log = same_log(inputs_app, "PUT", url, json=body, headers={"user-agent": "differential", **cookie_header(cookies)})
    if "?q=a" in url and "/1" in url:
        assert log == ["dep task", "endpoint task"]


def test_malformed_body_is_answered_before_dependencies_run() -> None:
    log = same_log(inputs_app, "PUT", "/items/1", content=b"{not json", headers={"content-type": "application/json"})
    assert log == []


@pytest.mark.parametrize("data", [{"username": "a", "password": "b"}, {"username": "a"}, {}, {"remember": "x"},
                                  {"username": "a", "password": "b", "remember": "true"}])
def test_form_fields_in_dependencies(data: dict[str, str]) -> None:
    check(inputs_app, "POST", "/login", data=data)


@pytest.mark.parametrize("body", [{"name": "x"}, {"item": {"name": "x"}}, {}, None])
def test_single_body_field_in_a_dependency(body: Any) -> None:
    check(inputs_app, "POST", "/single", json=body)


# -- dependencies with yield ---------------------------------------------------------------------


def yield_app(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    Depends, HTTPException = d.Depends, fw.HTTPException
    app = fw.FastAPI()
    log: list[str] = []
    app.state.log = log

    class DBSession:
        def __init__(self) -> None:
            self.open = True

        def close(self) -> None:
            self.open = False

    def get_db():  # tutorial007
        db = DBSession()
        log.append("db open")
        try:
            yield db
        finally:
            db.close()
            log.append("db closed")

    async def dependency_a():  # tutorial008
        log.append("a enter")
        try:
            yield "dep_a"
        finally:
            log.append("a exit")

    async def dependency_b(dep_a: Annotated[str, Depends(dependency_a)]):
        log.append(f"b enter {dep_a}")
        try:
            yield "dep_b"
        finally:
            log.append(f"b exit {dep_a}")

    def dependency_c(dep_b: Annotated[str, Depends(dependency_b)]):
        log.append(f"c enter {dep_b}")
        try:
            yield "dep_c"
        finally:
            log.append(f"c exit {dep_b}")

    @app.get("/chain")
    def chain(c: Annotated[str, Depends(dependency_c)], db: Annotated[DBSession, Depends(get_db)],
              tasks: d.BackgroundTasks):
        log.append("endpoint")
        tasks.add_task(lambda: log.append(f"task sees db open={db.open}"))
        return {"c": c, "db": db.open}

    data = {"plumbus": {"description": "Freshly pickled plumbus", "owner": "Morty"},
            "portal-gun": {"description": "Gun to create portals", "owner": "Rick"}}

    class OwnerError(Exception):
        pass

    def get_username():  # tutorial008b
        try:
            yield "Rick"
        except OwnerError as e:
            raise HTTPException(status_code=400, detail=f"Owner error: {e}") from e

    @app.get("/items/{item_id}")
    def get_item(item_id: str, username: Annotated[str, Depends(get_username)]):
        if item_id not in data:
            raise HTTPException(status_code=404, detail="Item not found")
        item = data[item_id]
        if item["owner"] != username:
            raise OwnerError(username)
        return item

    class InternalError(Exception):
        pass

    def swallowing_username():  # tutorial008c
        try:
            yield "Rick"
        except InternalError:
            log.append("Oops, we didn't raise again, Britney")

    def reraising_username():  # tutorial008d
        try:
            yield "Rick"
        except InternalError:
            log.append("We don't swallow the internal error here, we raise again")
            raise

    def internal(item_id: str) -> str:
        if item_id == "portal-gun":
            raise InternalError(f"The portal gun is too dangerous to be owned by {item_id}")
        if item_id != "plumbus":
            raise HTTPException(status_code=404, detail="Item not found, there's only a plumbus here")
        return item_id

    @app.get("/swallow/{item_id}")
    def get_swallow(item_id: str, username: Annotated[str, Depends(swallowing_username)]):
        return internal(item_id)

    @app.get("/reraise/{item_id}")
    def get_reraise(item_id: str, username: Annotated[str, Depends(reraising_username)]):
        return internal(item_id)

    def function_scoped():  # tutorial008e
        try:
            yield "Rick"
        finally:
            log.append("Cleanup up before response is sent")

    @app.get("/users/me")
    def get_user_me(username: Annotated[str, Depends(function_scoped, scope="function")],
                    db: Annotated[DBSession, Depends(get_db)], tasks: d.BackgroundTasks):
        tasks.add_task(log.append, "task")
        log.append("endpoint")
        return username

    def raises_after_yield(kind: str = "http"):
        yield kind
        if kind == "http":
            raise HTTPException(status_code=409, detail="raised after yield")
        if kind == "error":
            raise ValueError("raised after yield")

    @app.get("/after/request")
    def after_request(kind: Annotated[str, Depends(raises_after_yield)]):
        return kind

    @app.get("/after/function")
    def after_function(kind: Annotated[str, Depends(raises_after_yield, scope="function")]):
        return kind

    class MySuperContextManager:  # tutorial010
        def __init__(self) -> None:
            self.db = DBSession()

        def __enter__(self) -> DBSession:
            log.append("cm enter")
            return self.db

        def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
            self.db.close()
            log.append("cm exit")

    async def get_cm_db():
        with MySuperContextManager() as db:
            yield db

    @app.get("/cm")
    def with_cm(db: Annotated[DBSession, Depends(get_cm_db)], n: int = 0):
        return {"open": db.open, "n": n}

    def cached_gen():
        log.append("cached enter")
        yield "v"
        log.append("cached exit")

    def uses_cached(v: Annotated[str, Depends(cached_gen)]):
        return v

    @app.get("/cached-gen")
    def cached_generator(a: Annotated[str, Depends(cached_gen)], b: Annotated[str, Depends(uses_cached)],
                         c: Annotated[str, Depends(cached_gen, use_cache=False)]):
        return [a, b, c]

    return app


@pytest.mark.parametrize(("url", "expected_log"), [
    ("/chain", ["a enter", "b enter dep_a", "c enter dep_b", "db open", "endpoint", "task sees db open=True",
                "db closed", "c exit dep_b", "b exit dep_a", "a exit"]),
    ("/items/plumbus", []), ("/items/portal-gun", []), ("/items/nope", []),
    ("/swallow/plumbus", []), ("/swallow/portal-gun", ["Oops, we didn't raise again, Britney"]),
    ("/reraise/portal-gun", ["We don't swallow the internal error here, we raise again"]),
    ("/reraise/nope", []),
    ("/users/me", ["db open", "endpoint", "Cleanup up before response is sent", "task", "db closed"]),
    ("/after/request", []), ("/after/request?kind=error", []), ("/after/request?kind=none", []),
    ("/after/function", []), ("/after/function?kind=error", []),
    ("/cm", ["cm enter", "cm exit"]), ("/cm?n=x", ["cm enter", "cm exit"]),
    ("/cached-gen", ["cached enter", "cached enter", "cached exit", "cached exit"]),
])
def test_dependencies_with_yield(url: str, expected_log: list[str]) -> None:
    assert same_log(yield_app, "GET", url) == expected_log


# -- testing dependencies with overrides ---------------------------------------------------------


def overrides_app(fw: SimpleNamespace) -> Any:
    Depends = dep(fw).Depends
    app = fw.FastAPI()

    async def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100):
        return {"q": q, "skip": skip, "limit": limit}

    @app.get("/items/")
    async def read_items(commons: Annotated[dict, Depends(common_parameters)]):
        return {"message": "Hello Items!", "params": commons}

    @app.get("/users/")
    async def read_users(commons: Annotated[dict, Depends(common_parameters)]):
        return {"message": "Hello Users!", "params": commons}

    router = fw.APIRouter(prefix="/r", dependencies=[Depends(common_parameters)])

    @router.get("/x")
    def routed(commons: Annotated[dict, Depends(common_parameters)]):
        return commons

    app.include_router(router)
    app.state.common_parameters = common_parameters
    return app


def test_dependency_overrides_testing_tutorial() -> None:
    expected_client, actual_client = clients(overrides_app)
    urls = ["/items/", "/items/?q=foo", "/items/?q=foo&skip=5&limit=10", "/users/?q=bar", "/r/x?q=1&limit=x"]
    for url in urls:
        check(overrides_app, "GET", url)

    async def override_dependency(q: str | None = None):
        return {"q": q, "skip": 5, "limit": 10}

    for client in (expected_client, actual_client):
        client.app.dependency_overrides[client.app.state.common_parameters] = override_dependency
    try:
        for url in urls:
            assert check(overrides_app, "GET", url).status_code == 200
    finally:
        for client in (expected_client, actual_client):
            client.app.dependency_overrides = {}
    for url in urls:
        check(overrides_app, "GET", url)


def test_markers_are_equal_and_hashable_by_value_as_fastapi() -> None:
    def call() -> None: ...

    for fw in (FASTAPI, FASTRAPI):
        security, Depends = dep(fw).Security, dep(fw).Depends
        assert Depends(call) == Depends(call) and hash(Depends(call)) == hash(Depends(call)), fw.name
        assert Depends(call) != Depends(call, scope="function"), fw.name
        assert Depends(call) != Depends(call, use_cache=False), fw.name
        assert security(call, scopes=["a"]) == security(call, scopes=["a"]) != security(call, scopes=["b"]), fw.name
        assert len({Depends(call), Depends(call), security(call)}) == 2, fw.name


_STATE: contextvars.ContextVar[Any] = contextvars.ContextVar("request_state", default=None)


def contextvar_app(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()

    async def set_up_state():  # type: ignore[no-untyped-def]
        token = _STATE.set({"user": "deadpond"})
        yield
        _STATE.reset(token)  # a ValueError unless the exit runs in the Context the entry ran in

    @app.middleware("http")
    async def custom(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["custom"] = "foo"
        return response

    @app.get("/user", dependencies=[d.Depends(set_up_state)])
    def get_user() -> Any:
        return _STATE.get()["user"]

    return app


def test_a_contextvar_set_before_yield_is_reset_after_it() -> None:
    for fw in (FASTAPI, FASTRAPI):
        response = fw.TestClient(contextvar_app(fw)).get("/user")  # raises the exit's error, if any
        assert (response.json(), response.headers["custom"]) == ("deadpond", "foo"), fw.name


def broken_stream_app(fw: SimpleNamespace) -> Any:
    d = dep(fw)
    app = fw.FastAPI()

    def closed_session():  # type: ignore[no-untyped-def]
        session = {"open": False}
        yield session

    @app.get("/stream")
    def stream(session: Annotated[dict, d.Depends(closed_session)]) -> Any:
        def chunks() -> Any:
            if not session["open"]:
                raise ValueError("Session closed")
            yield "first\n"

        streaming = fastapi.responses if fw is FASTAPI else fastrapi.responses
        return streaming.StreamingResponse(chunks())

    return app


def test_an_error_mid_stream_without_raise_server_exceptions() -> None:
    """The generator fails at its first item: TestClient(raise_server_exceptions=False) sees the 200 and an empty
    body, as FastAPI's (FastAPI's own test of a yield dependency closed before the stream)."""
    for fw in (FASTAPI, FASTRAPI):
        with fw.TestClient(broken_stream_app(fw), raise_server_exceptions=False) as client:
            response = client.get("/stream")
        assert (response.status_code, response.text) == (200, ""), fw.name
        with pytest.raises(ValueError, match="Session closed"):
            fw.TestClient(broken_stream_app(fw)).get("/stream")
