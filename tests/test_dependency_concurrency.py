"""``Depends(..., max_concurrency=N)``: at most N calls through one declaration run at once, across
requests, routes and apps; the others wait. Which declarations share a limit, how long a call holds
its slot, and that every way out gives the slot back, as FastAPI 0.165 does (its
tests/test_dependency_concurrency.py); then the limit itself with each kind of waiter fastrapi has
(greenlets of one hub, greenlets of two hubs, plain threads).

Calls are made from several threads through TestClient; each dependency waits on an event, so a
test sees how many are in and how many wait before it lets them go.
"""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from types import SimpleNamespace
from typing import Annotated, Any, get_args

import gevent
import pytest

from fastrapi import APIRouter, BackgroundTasks, Depends, FastAPI
from fastrapi.concurrency_limits import ConcurrencyLimit
from fastrapi.exceptions import ResponseValidationError
from fastrapi.responses import StreamingResponse
from fastrapi.testclient import TestClient
from tests.differential import FASTAPI, FASTRAPI, check
from tests.servers import wait_until
from tests.test_docs_site import blocks, run_block

WAIT = 5.0  # seconds any event of a test may take before it counts as hung


class Gate:
    """Counts the calls inside a dependency and holds them until ``open()``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = self.peak = self.calls = 0
        self.opened = threading.Event()

    def enter(self) -> None:
        with self.lock:
            self.active += 1
            self.calls += 1
            self.peak = max(self.peak, self.active)

    def leave(self) -> None:
        with self.lock:
            self.active -= 1

    def hold(self) -> None:
        assert self.opened.wait(WAIT), "the gate was never opened"

    async def hold_async(self) -> None:
        """``hold`` on the bridge loop, which other calls share."""
        for _ in range(int(WAIT * 1000)):
            if self.opened.is_set():
                return
            await asyncio.sleep(0.001)
        raise AssertionError("the gate was never opened")

    def open(self) -> None:
        self.opened.set()


def limit_of(declaration: Depends) -> ConcurrencyLimit:
    limit = declaration._concurrency
    assert limit is not None
    return limit


def dependency_of(kind: str, gate: Gate) -> Callable[..., Any]:
    def sync() -> str:
        gate.enter()
        try:
            gate.hold()
            return "ok"
        finally:
            gate.leave()

    async def asynchronous() -> str:
        gate.enter()
        try:
            await gate.hold_async()
            return "ok"
        finally:
            gate.leave()

    def sync_yield() -> Iterator[str]:
        gate.enter()
        try:
            gate.hold()
            yield "ok"
        finally:
            gate.leave()

    async def async_yield() -> Any:
        gate.enter()
        try:
            await gate.hold_async()
            yield "ok"
        finally:
            gate.leave()

    return {"sync": sync, "async": asynchronous, "sync_yield": sync_yield, "async_yield": async_yield}[kind]


def send_all(client: TestClient, paths: list[str]) -> tuple[list[threading.Thread], list[Any]]:
    """Send each request from its own thread; the answers' JSON lands in the list, as they come."""
    answers: list[Any] = []

    def send(path: str) -> None:
        response = client.get(path)
        answers.append(response.json() if response.status_code == 200 else response.status_code)

    threads = [threading.Thread(target=send, args=(path,), daemon=True) for path in paths]
    for thread in threads:
        thread.start()
    return threads, answers


def join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a request never finished"


# -- the declaration --------------------------------------------------------------------------

@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
@pytest.mark.parametrize("value", [0, -1, True, 1.5, "2"])
def test_a_limit_that_is_not_a_positive_int_is_a_value_error(fw: SimpleNamespace, value: Any) -> None:
    with pytest.raises(ValueError, match=r"^max_concurrency must be a positive integer or None$"):
        fw.Depends(max_concurrency=value)


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
def test_each_limited_declaration_is_its_own_marker(fw: SimpleNamespace) -> None:
    def call() -> None: ...

    first, second = fw.Depends(call, max_concurrency=1), fw.Depends(call, max_concurrency=1)
    assert first == first and hash(first) == hash(first)
    assert first != second
    assert fw.Depends(call, max_concurrency=None) == fw.Depends(call)
    # typing caches Annotated by its arguments: equal markers would give the second alias the first's.
    one, two = Annotated[str, fw.Depends(call, max_concurrency=1)], Annotated[str, fw.Depends(call, max_concurrency=1)]
    assert get_args(one)[1] is not get_args(two)[1]


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
def test_a_replaced_declaration_keeps_its_limit_only_when_n_is_unchanged(fw: SimpleNamespace) -> None:
    def call() -> None: ...

    original = fw.Depends(call, max_concurrency=2)
    same = replace(original, use_cache=False)
    assert (same.use_cache, same.max_concurrency) == (False, 2)
    assert same._concurrency is original._concurrency
    assert replace(original, max_concurrency=3)._concurrency is not original._concurrency
    assert replace(original, max_concurrency=None)._concurrency is None


def _limited_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    def sync(q: int = 0) -> dict[str, int]:
        return {"sync": q}

    async def asynchronous(q: int = 0) -> dict[str, int]:
        return {"async": q}

    def generator(q: int = 0) -> Iterator[dict[str, int]]:
        yield {"gen": q}

    class Inferred:
        def __init__(self, q: int = 0) -> None:
            self.q = q

    declarations = [fw.Depends(call, max_concurrency=1) for call in (sync, asynchronous, generator)]

    @app.get("/items/{item_id}", dependencies=[fw.Depends(sync, max_concurrency=3)])
    def items(item_id: int, a: Annotated[dict[str, int], declarations[0]],
              b: Annotated[dict[str, int], declarations[1]], c: Annotated[dict[str, int], declarations[2]],
              d: Annotated[Inferred, fw.Depends(max_concurrency=2)]) -> dict[str, Any]:
        return {"item_id": item_id, **a, **b, **c, "inferred": d.q}

    return app


@pytest.mark.parametrize("url", ["/items/1?q=5", "/items/x", "/items/1?q=y", "/openapi.json"])
def test_limited_dependencies_answer_as_fastapi(url: str) -> None:
    check(_limited_app, "GET", url)


# -- which calls share a limit ----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sync", "async", "sync_yield", "async_yield"])
@pytest.mark.parametrize("override", [False, True], ids=["declared", "overridden"])
def test_a_shared_declaration_caps_both_routes(kind: str, override: bool) -> None:
    gate = Gate()
    dependency = dependency_of(kind, gate)

    def original() -> str:
        raise AssertionError("the override should run")

    declaration = Depends(original if override else dependency, max_concurrency=2)
    app = FastAPI()
    if override:
        app.dependency_overrides[original] = dependency  # runs under the declaration's limit

    @app.get("/one")
    @app.get("/two")
    def endpoint(value: Annotated[str, declaration]) -> str:
        return value

    threads, answers = send_all(TestClient(app), ["/one", "/two"] * 3)
    try:
        wait_until(lambda: limit_of(declaration).waiting == 4 and gate.active == 2, WAIT, "2 in, 4 waiting")
        assert gate.calls == 2
    finally:
        gate.open()
    join(threads)
    assert answers == ["ok"] * 6
    assert (gate.calls, gate.peak, gate.active) == (6, 2, 0)
    assert limit_of(declaration).value == 2


@pytest.mark.parametrize("where", ["app", "router", "route", "inferred"])
def test_parameterless_and_inferred_uses_share_the_declaration(where: str) -> None:
    gate = Gate()

    def dependency() -> None:
        gate.enter()
        gate.hold()
        gate.leave()

    class Inferred:
        def __init__(self) -> None:
            dependency()

    declaration = Depends(None if where == "inferred" else dependency, max_concurrency=1)
    app = FastAPI(dependencies=[declaration] if where == "app" else [])
    router = APIRouter(dependencies=[declaration] if where == "router" else [])
    if where == "inferred":
        @router.get("/one")
        @router.get("/two")
        def inferred(value: Annotated[Inferred, declaration]) -> str:
            return "ok"
    else:
        route_level = [declaration] if where == "route" else []

        @router.get("/one", dependencies=route_level)
        @router.get("/two", dependencies=route_level)
        def endpoint() -> str:
            return "ok"
    app.include_router(router)

    threads, answers = send_all(TestClient(app), ["/one", "/two"])
    try:
        wait_until(lambda: limit_of(declaration).waiting == 1 and gate.active == 1, WAIT, "1 in, 1 waiting")
        assert gate.calls == 1
    finally:
        gate.open()
    join(threads)
    assert answers == ["ok", "ok"]
    assert gate.peak == 1 and limit_of(declaration).value == 1


def test_one_declaration_caps_every_app_that_uses_it() -> None:
    gate = Gate()
    declaration = Depends(dependency_of("async_yield", gate), max_concurrency=1)
    router = APIRouter()

    @router.get("/")
    def endpoint(value: Annotated[str, declaration]) -> str:
        return value

    apps = [FastAPI(), FastAPI()]
    for app in apps:
        app.include_router(router)
    threads, answers = [], []
    for app in apps:
        more, answers_of_app = send_all(TestClient(app), ["/"])
        threads += more
        answers.append(answers_of_app)
    try:
        wait_until(lambda: limit_of(declaration).waiting == 1 and gate.active == 1, WAIT, "1 in, 1 waiting")
        assert gate.calls == 1
    finally:
        gate.open()
    join(threads)
    assert answers == [["ok"], ["ok"]] and gate.peak == 1


def test_declarations_with_the_same_arguments_have_separate_limits() -> None:
    gate = Gate()
    dependency = dependency_of("sync", gate)
    first, second = Depends(dependency, max_concurrency=1), Depends(dependency, max_concurrency=1)
    app = FastAPI()

    @app.get("/one")
    def one(value: Annotated[str, first]) -> str:
        return value

    @app.get("/two")
    def two(value: Annotated[str, second]) -> str:
        return value

    threads, answers = send_all(TestClient(app), ["/one", "/two"])
    try:
        wait_until(lambda: gate.active == 2, WAIT, "both calls inside at once")
        assert limit_of(first).value == limit_of(second).value == 0
    finally:
        gate.open()
    join(threads)
    assert answers == ["ok", "ok"]


@pytest.mark.parametrize(("use_cache", "slots"), [(True, 1), (False, 2)])
def test_a_cached_value_takes_one_slot_a_repeated_call_one_each(use_cache: bool, slots: int) -> None:
    entered: list[int] = []
    exited: list[int] = []

    def dependency() -> Iterator[int]:
        value = len(entered)
        entered.append(value)
        try:
            yield value
        finally:
            exited.append(value)

    declaration = Depends(dependency, use_cache=use_cache, max_concurrency=2)
    app = FastAPI()

    @app.get("/")
    def endpoint(a: Annotated[int, declaration], b: Annotated[int, declaration]) -> list[int]:
        return [a, b, limit_of(declaration).value]

    assert TestClient(app).get("/").json() == ([0, 0, 1] if use_cache else [0, 1, 0])
    assert exited == list(reversed(entered)) == list(reversed(range(slots)))
    assert limit_of(declaration).value == 2


@pytest.mark.parametrize("reverse", [False, True])
def test_a_value_cached_from_another_declaration_takes_no_slot_of_its_own(reverse: bool) -> None:
    def dependency() -> Iterator[str]:
        yield "ok"

    first, second = Depends(dependency, max_concurrency=1), Depends(dependency, max_concurrency=2)
    a_marker, b_marker = (second, first) if reverse else (first, second)
    app = FastAPI()

    @app.get("/")
    def endpoint(a: Annotated[str, a_marker], b: Annotated[str, b_marker]) -> list[int]:
        return [limit_of(first).value, limit_of(second).value]

    assert TestClient(app).get("/").json() == ([1, 1] if reverse else [0, 2])
    assert (limit_of(first).value, limit_of(second).value) == (1, 2)


@pytest.mark.parametrize(("original_limit", "new_limit"), [(1, 3), (3, 1), (1, None), (None, 2), (1, 1)])
def test_a_replaced_declaration_runs_under_its_own_limit(original_limit: int | None, new_limit: int | None) -> None:
    gate = Gate()
    original = Depends(dependency_of("async_yield", gate), max_concurrency=original_limit)
    declaration = replace(original, max_concurrency=new_limit, use_cache=False)
    app = FastAPI()

    @app.get("/")
    def endpoint(value: Annotated[str, declaration]) -> str:
        return value

    expected = 4 if new_limit is None else new_limit
    threads, answers = send_all(TestClient(app), ["/"] * 4)
    try:
        wait_until(lambda: gate.active == expected, WAIT, f"{expected} calls inside")
        if new_limit is not None:
            wait_until(lambda: limit_of(declaration).waiting == 4 - expected, WAIT, "the others waiting")
        if original_limit is not None:
            assert limit_of(original).value == (0 if original_limit == new_limit else original_limit)
    finally:
        gate.open()
    join(threads)
    assert answers == ["ok"] * 4 and gate.peak == expected


# -- how long a slot is held ------------------------------------------------------------------

@pytest.mark.parametrize("scope", ["function", "request"])
def test_a_yield_dependency_holds_its_slot_until_its_exit_code_has_run(scope: str) -> None:
    events: list[tuple[str, int]] = []

    def dependency() -> Iterator[None]:
        try:
            yield
        finally:
            events.append(("exit", limit_of(declaration).value))

    declaration = Depends(dependency, scope=scope, max_concurrency=1)  # type: ignore[arg-type]
    app = FastAPI()

    def task() -> None:
        events.append(("task", limit_of(declaration).value))

    def body() -> Iterator[str]:
        events.append(("stream", limit_of(declaration).value))
        yield "ok"

    @app.get("/")
    def endpoint(tasks: BackgroundTasks, _: Annotated[None, declaration]) -> StreamingResponse:
        tasks.add_task(task)
        return StreamingResponse(body())

    assert TestClient(app).get("/").text == "ok"
    if scope == "function":  # the slot is free once the endpoint has returned
        assert events == [("exit", 0), ("stream", 1), ("task", 1)]
    else:  # held while the body is sent and the tasks run, given back after the exit code
        assert events == [("stream", 0), ("task", 0), ("exit", 0)]
    assert limit_of(declaration).value == 1


@pytest.mark.parametrize("failure", ["entry", "endpoint", "validation", "exit"])
@pytest.mark.parametrize("kind", ["gen", "agen"])
def test_every_failure_gives_the_slot_back(failure: str, kind: str) -> None:
    seen: list[int] = []

    def sync_dependency(action: str) -> Iterator[int]:
        if action == "fail" and failure == "entry":
            raise RuntimeError("entry")
        try:
            yield 1
        finally:
            seen.append(limit_of(declaration).value)  # still held while the exit code runs
            if action == "fail" and failure == "exit":
                raise RuntimeError("exit")

    async def async_dependency(action: str) -> Any:
        await asyncio.sleep(0)
        if action == "fail" and failure == "entry":
            raise RuntimeError("entry")
        try:
            yield 1
        finally:
            await asyncio.sleep(0)
            seen.append(limit_of(declaration).value)
            if action == "fail" and failure == "exit":
                raise RuntimeError("exit")

    declaration = Depends(sync_dependency if kind == "gen" else async_dependency, max_concurrency=1)
    app = FastAPI()

    @app.get("/{action}", response_model=int)
    def endpoint(action: str, value: Annotated[int, declaration]) -> Any:
        if action == "fail" and failure == "endpoint":
            raise RuntimeError("endpoint")
        if action == "fail" and failure == "validation":
            return "not an integer"
        return value

    client = TestClient(app)
    with pytest.raises(ResponseValidationError if failure == "validation" else RuntimeError):
        client.get("/fail")
    assert limit_of(declaration).value == 1
    assert client.get("/ok").json() == 1
    assert limit_of(declaration).value == 1
    assert all(value == 0 for value in seen)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_failing_plain_dependency_gives_the_slot_back(kind: str) -> None:
    def sync_dependency() -> None:
        raise RuntimeError("boom")

    async def async_dependency() -> None:
        raise RuntimeError("boom")

    declaration = Depends(sync_dependency if kind == "sync" else async_dependency, max_concurrency=1)
    app = FastAPI()

    @app.get("/")
    def endpoint(_: Annotated[None, declaration]) -> str:
        return "ok"

    client = TestClient(app, raise_server_exceptions=False)
    assert [client.get("/").status_code for _ in range(3)] == [500] * 3
    assert limit_of(declaration).value == 1


def test_an_invalid_parameter_of_the_dependency_takes_no_slot() -> None:
    calls: list[int] = []

    def dependency(q: int) -> int:
        calls.append(limit_of(declaration).value)
        return q

    declaration = Depends(dependency, max_concurrency=1)
    app = FastAPI()

    @app.get("/")
    def endpoint(q: Annotated[int, declaration]) -> int:
        return q

    client = TestClient(app)
    assert client.get("/?q=x").status_code == 422
    assert client.get("/?q=3").json() == 3
    assert calls == [0] and limit_of(declaration).value == 1


# -- the limit with each kind of waiter -------------------------------------------------------

def _holders(limit: ConcurrencyLimit, record: Gate, release: Callable[[], None]) -> Callable[[int], None]:
    def hold(index: int) -> None:
        limit.acquire()
        try:
            record.enter()
            release()
            record.leave()
        finally:
            limit.release()
    return hold


def test_greenlets_of_one_hub_wait_their_turn_in_order() -> None:
    limit, order = ConcurrencyLimit(1), []
    gate = Gate()

    def hold(index: int) -> None:
        limit.acquire()
        try:
            order.append(index)
            gate.enter()
            gevent.sleep(0.01)
            gate.leave()
        finally:
            limit.release()

    greenlets = [gevent.spawn(hold, index) for index in range(7)]
    gevent.joinall(greenlets, timeout=WAIT, raise_error=True)
    assert all(g.dead for g in greenlets)
    assert order == list(range(7)) and gate.peak == 1  # first come, first served
    assert (limit.value, limit.waiting) == (1, 0)


def test_plain_threads_wait_on_a_real_lock() -> None:
    limit, gate = ConcurrencyLimit(2), Gate()
    hold = _holders(limit, gate, lambda: time.sleep(0.01))  # no gevent call: these threads have no hub
    threads = [threading.Thread(target=hold, args=(index,), daemon=True) for index in range(7)]
    for thread in threads:
        thread.start()
    join(threads)
    assert gate.peak == 2 and gate.calls == 7
    assert (limit.value, limit.waiting) == (2, 0)


def test_greenlets_of_two_hubs_hand_slots_across_threads() -> None:
    limit, gate = ConcurrencyLimit(1), Gate()
    hold = _holders(limit, gate, lambda: gevent.sleep(0.002))

    def serve() -> None:  # an OS thread with its own hub, as each of a server's threads has
        greenlets = [gevent.spawn(hold, index) for index in range(10)]
        gevent.joinall(greenlets, timeout=WAIT, raise_error=True)

    threads = [threading.Thread(target=serve, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    join(threads)
    assert gate.calls == 30 and gate.peak == 1
    assert (limit.value, limit.waiting) == (1, 0)


def test_a_thread_whose_hub_runs_the_holder_waits_cooperatively() -> None:
    # A real lock here would block the very hub that must run the holder to give the slot back.
    limit, done = ConcurrencyLimit(1), []

    def scenario() -> None:
        limit.acquire()

        def holder() -> None:
            gevent.sleep(0.02)
            limit.release()

        gevent.spawn(holder)
        limit.acquire()  # from the thread's main greenlet, not a gevent.Greenlet
        limit.release()
        done.append(True)

    thread = threading.Thread(target=scenario, daemon=True)
    thread.start()
    join([thread])
    assert done == [True] and limit.value == 1


def test_a_waiter_that_is_killed_leaves_the_queue() -> None:
    limit = ConcurrencyLimit(1)
    limit.acquire()
    waiter = gevent.spawn(limit.acquire)
    wait_until(lambda: limit.waiting == 1, WAIT, "the greenlet waiting")
    waiter.kill(block=True, timeout=WAIT)
    assert (limit.value, limit.waiting) == (0, 0)
    limit.release()
    assert limit.value == 1


def test_a_slot_given_to_a_waiter_killed_before_it_woke_is_passed_on() -> None:
    limit = ConcurrencyLimit(1)
    limit.acquire()
    first, second = gevent.spawn(limit.acquire), gevent.spawn(limit.acquire)
    wait_until(lambda: limit.waiting == 2, WAIT, "two greenlets waiting")
    limit.release()  # handed to ``first``, which has not run yet
    first.kill(block=True, timeout=WAIT)
    second.join(WAIT)
    assert second.successful()  # it holds the slot ``first`` never used (or gave back)
    assert (limit.value, limit.waiting) == (0, 0)
    limit.release()
    assert limit.value == 1


def test_the_documented_example_shares_one_limit_between_its_routes() -> None:
    index = next(i for i, block in enumerate(blocks("dependencies.md")) if "max_concurrency=5" in block)
    namespace = run_block("dependencies.md", index)
    declaration = get_args(namespace["DB"])[1]
    client = TestClient(namespace["app"])
    assert [client.get(path).json() for path in ("/items", "/users")] == [[], []]
    assert (declaration.max_concurrency, limit_of(declaration).value) == (5, 5)
