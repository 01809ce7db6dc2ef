"""Where code runs: inline in the request greenlet, in a gevent thread pool, or on the asyncio bridge loop.

- ``def`` code runs inline when blocking calls are cooperative (gevent monkey-patched) or when
  the request already has an OS thread of its own (wsgiref, waitress); inside an unpatched
  gevent server it goes to a dedicated thread pool so the hub keeps serving. A gevent pool
  belongs to the hub that made it, so each hub (each OS thread that serves) has its own.
- ``async def`` code that can never suspend is driven with ``coro.send(None)``; anything else
  runs on one asyncio loop that lives forever in a background OS thread.
"""

from __future__ import annotations

import _thread
import asyncio
import contextvars
import dis
import inspect
import types
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, Literal, Protocol, TypeVar

import gevent
import gevent.lock
import gevent.monkey
import gevent.threadpool
from gevent.hub import Hub, Waiter, get_hub
from greenlet import getcurrent

T = TypeVar("T")

# What a call on another thread hands back: its value, or the exception it raised (re-raised by the waiter).
Outcome = tuple[Literal[False], T] | tuple[Literal[True], BaseException]

_SUSPENDING_OPS = {"GET_AWAITABLE", "GET_AITER", "GET_ANEXT", "BEFORE_ASYNC_WITH", "SEND", "YIELD_VALUE"}

THREADPOOL_SIZE = 40
# A pool thread idle this long exits (anyio's worker threads wait 10 s too): the pool of a hub
# whose thread has stopped serving ends its threads, and then the hub and pool can be freed.
POOL_IDLE_SECONDS = 10
_HUB_POOL = "fastrapi_threadpool"  # the attribute of a hub that holds its pool


def in_gevent_greenlet() -> bool:
    """True when called from a gevent greenlet (pywsgi, gunicorn -k gevent)."""
    return isinstance(getcurrent(), gevent.Greenlet)


_patched = False


def is_patched() -> bool:
    """True when blocking socket calls are cooperative (gevent monkey-patching ran)."""
    global _patched
    # Remembered only once True: patching may happen after import and is never undone.
    if not _patched:
        _patched = gevent.monkey.is_module_patched("socket")
    return _patched


def threadpool(hub: Hub | None = None) -> gevent.threadpool.ThreadPool:
    """The current hub's pool for blocking work (not the hub's own pool, which also serves DNS).

    Only the thread that runs ``hub`` may use it (gevent raises ``InvalidThreadUseError``).
    """
    if hub is None:
        hub = get_hub()
    pool = getattr(hub, _HUB_POOL, None)
    if pool is None:
        # No lock: only this hub's own thread gets here, and making the pool never switches.
        pool = gevent.threadpool.ThreadPool(THREADPOOL_SIZE, hub, idle_task_timeout=POOL_IDLE_SECONDS)
        setattr(hub, _HUB_POOL, pool)  # dies with the hub
    return pool


def reserve_threads(count: int) -> gevent.lock.Semaphore:
    """Grow this hub's pool by ``count`` threads for a caller that holds at most ``count`` at once:
    acquire the returned limiter around each ``run_sync``. Whatever it holds, ``def`` endpoints
    keep ``THREADPOOL_SIZE`` threads (and may use the reserved ones while they are idle).

    One pool, not one per caller: work that alternates between two pools' threads costs ~4 µs
    more per hand-over pair. Call it from a greenlet of the hub it is for; the threads stay
    reserved as long as the hub lives.
    """
    pool = threadpool()
    pool.maxsize += count
    return gevent.lock.Semaphore(count)


def needs_thread() -> bool:
    """Whether blocking code called here must go to a pool thread (an unpatched gevent server)."""
    return not (_patched or is_patched()) and in_gevent_greenlet()


def run_sync(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call blocking ``func`` so that the server keeps serving meanwhile."""
    if _patched or is_patched() or not in_gevent_greenlet():  # PERF: the flag first, no call once patched
        return func(*args, **kwargs)
    return _in_pool(func, *args, **kwargs)


def run_in_threadpool(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func`` in a real OS thread of the pool and wait for it without blocking the server.

    ``func`` sees the caller's context variables, as with Starlette's ``run_in_threadpool``.
    """
    if in_gevent_greenlet():
        return _in_pool(func, *args, **kwargs)
    return func(*args, **kwargs)


def _in_pool(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func`` on a thread of this hub's pool, in a copy of the caller's context; this greenlet waits for it."""
    hub = get_hub()
    context = contextvars.copy_context()
    context.run(request_hop_sync.set, partial(_call_in_hub, hub))
    outcome = threadpool(hub).spawn(_outcome, context, func, args, kwargs).get()
    assert outcome is not None  # typeshed types AsyncResult.get() Optional; _outcome always returns a pair
    if outcome[0]:
        raise outcome[1]
    return outcome[1]


def _outcome(context: contextvars.Context, func: Callable[..., T], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Outcome[T]:
    # gevent's pool prints a traceback for any exception its function raises (an endpoint's
    # HTTPException included), even though get() raises it again: it is handed back as a value.
    try:
        return False, context.run(func, *args, **kwargs)
    except Exception as exc:
        return True, exc


def is_async_callable(func: Any) -> bool:
    """Whether calling ``func`` returns a coroutine (functions and objects with ``async def __call__``)."""
    if type(func) is types.FunctionType and not hasattr(func, "_is_coroutine_marker"):
        # PERF: a plain function's code flags say it (inspect's checks cost ~2 µs per add_task).
        return bool(func.__code__.co_flags & inspect.CO_COROUTINE)
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None))  # noqa: B004


def can_suspend(func: Callable[..., Any]) -> bool:
    """Whether the coroutine function contains any await, async for or async with."""
    code = getattr(inspect.unwrap(func), "__code__", None)
    if code is None:
        return True
    return code_can_suspend(code)


def code_can_suspend(code: types.CodeType) -> bool:
    """Whether a code object has any await, async for or async with."""
    return any(instruction.opname in _SUSPENDING_OPS for instruction in dis.get_instructions(code))


class Hop(Protocol):
    """Runs ``fn()`` where the request's socket can be read, for a coroutine on the bridge loop."""

    def __call__(self, fn: Callable[[], T], /) -> Awaitable[T]: ...


# Set while a gevent-served request waits on the bridge: how the coroutine runs a call where the
# request's socket can be read. A gevent socket waits on its own hub, and from the bridge's OS
# thread it raises ``greenlet.error: Cannot switch to a different thread`` instead.
request_hop: contextvars.ContextVar[Hop | None] = contextvars.ContextVar("fastrapi.request_hop", default=None)


async def on_request_side(fn: Callable[[], T]) -> T:
    """``fn()`` (a read of the request body) where the request itself could run it: right here,
    unless this is the bridge loop serving a gevent request; then in a greenlet of its hub."""
    hop = request_hop.get()
    if hop is None or in_gevent_greenlet():
        return fn()
    return await hop(fn)


def post_to_request_side(fn: Callable[[], None]) -> bool:
    """From the bridge loop serving a gevent request: run ``fn()`` in a new greenlet of the request's hub
    without waiting for it (calls posted from one coroutine run in the order posted). False, and nothing
    runs, anywhere else: then await ``on_request_side`` instead."""
    hop = request_hop.get()
    if not isinstance(hop, partial) or hop.func is not _hop_to_hub or in_gevent_greenlet():
        return False
    hub: Hub = hop.args[0]
    hub.loop.run_callback_threadsafe(gevent.spawn, fn)
    return True


async def _hop_to_hub(hub: Hub, fn: Callable[[], T]) -> T:
    """``fn()`` in a new greenlet of ``hub`` (the request's greenlet itself is waiting on the bridge)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def serve() -> None:
        try:
            result = context.run(fn)
        except BaseException as exc:  # handed to the coroutine, which decides
            loop.call_soon_threadsafe(settle, future, None, exc)
        else:
            loop.call_soon_threadsafe(settle, future, result, None)

    hub.loop.run_callback_threadsafe(gevent.spawn, serve)
    return await future


def settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    """Resolve ``future`` with ``result`` or ``exc`` unless it was cancelled (call it on the future's loop)."""
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


# Set for code on a pool thread serving a gevent request: how it reads the request's socket
# (in a greenlet of the request's hub, the pool thread waiting), for the same reason.
class HopSync(Protocol):
    """Runs ``fn()`` in a greenlet of the request's hub, for code on a pool thread, and waits for it."""

    def __call__(self, fn: Callable[[], T], /) -> T: ...


request_hop_sync: contextvars.ContextVar[HopSync | None] = contextvars.ContextVar(
    "fastrapi.request_hop_sync", default=None)

# Real OS primitives even when the process is monkey-patched.
_allocate_lock: Callable[[], _thread.LockType] = gevent.monkey.get_original("_thread", "allocate_lock")
_start_new_thread: Callable[[Callable[..., object], tuple[Any, ...]], int] = gevent.monkey.get_original(
    "_thread", "start_new_thread")


def _call_in_hub(hub: Hub, fn: Callable[[], T]) -> T:
    """``fn()`` in a new greenlet of ``hub``, from another OS thread, which waits for it."""
    done = _allocate_lock()
    done.acquire()
    outcomes: list[Outcome[T]] = []

    def serve() -> None:
        try:
            outcomes.append((False, fn()))
        except BaseException as exc:
            outcomes.append((True, exc))
        finally:
            done.release()

    hub.loop.run_callback_threadsafe(gevent.spawn, serve)
    done.acquire()
    outcome = outcomes[0]
    if outcome[0]:
        raise outcome[1]
    return outcome[1]


class _BridgeLoop:
    """One asyncio loop, running forever in a daemon OS thread, shared by every request.

    One per process, whatever thread serves: ``run`` is thread-safe, and a gevent greenlet
    waits for its coroutine on an async watcher of its own hub.
    """

    def __init__(self) -> None:
        ready = _allocate_lock()
        ready.acquire()
        _start_new_thread(self._run, (ready,))
        ready.acquire()  # held until the thread has made the loop

    def _run(self, ready: _thread.LockType) -> None:
        self.loop = asyncio.new_event_loop()
        if is_patched():
            # The patched selector waits on this thread's own gevent hub, which would exit with
            # LoopExit whenever nothing else is watched; a started async watcher keeps it alive.
            keepalive = gevent.get_hub().loop.async_()
            keepalive.start(lambda: None)
        ready.release()
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if not in_gevent_greenlet():
            return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
        hub = gevent.get_hub()
        # The coroutine's task copies this context when it is scheduled, hop included.
        token = request_hop.set(partial(_hop_to_hub, hub))
        try:
            future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        finally:
            request_hop.reset(token)
        # An async watcher is the hub's thread-safe wake-up; started before the callback
        # is attached so no wake-up is lost, and it keeps the loop alive while we wait.
        watcher = hub.loop.async_()
        waiter: Waiter[Any] = Waiter(hub)
        watcher.start(waiter.switch, None)
        future.add_done_callback(lambda _: watcher.send())
        try:
            waiter.get()
        finally:
            watcher.close()
        return future.result()


_bridge: _BridgeLoop | None = None
_bridge_lock = _allocate_lock()  # a real lock: threads with hubs of their own may race to make the bridge


def bridge() -> _BridgeLoop:
    global _bridge
    if _bridge is None:
        with _bridge_lock:
            if _bridge is None:
                _bridge = _BridgeLoop()
    return _bridge


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Finish a coroutine that never suspends, with no event loop."""
    try:
        coro.send(None)
    except StopIteration as stop:
        value: T = stop.value  # what the coroutine returned; StopIteration.value is typed Any
        return value
    coro.close()
    raise RuntimeError("coroutine suspended without an event loop")


def run_async(func: Callable[..., Coroutine[Any, Any, T]], args: tuple[Any, ...], kwargs: dict[str, Any],
              suspends: bool | None = None) -> T:
    """Call ``async def func`` and return its result, with or without the bridge loop."""
    if suspends is None:
        suspends = can_suspend(func)
    if not suspends:
        return drive(func(*args, **kwargs))
    return bridge().run(func(*args, **kwargs))
