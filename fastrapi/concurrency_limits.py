"""``Depends(max_concurrency=N)``: a counting semaphore shared by every request, whatever runs it.

A request solves its dependencies in its own greenlet (gevent servers, patched or not, possibly
one hub per OS thread) or in a plain OS thread (wsgiref, waitress, TestClient); the slot is taken
there, before a sync dependency goes to a pool thread or an async one to the bridge loop, so a
waiting call holds neither. A slot may be given back from anywhere: a ``yield`` dependency's exit
runs after the response, in whatever greenlet or thread finishes the request.

So the count sits behind a real OS lock that is never held across a switch, and each waiter
brings its own way of being woken: a greenlet waits on an async watcher of its hub (woken
thread-safely), a thread without a hub on a real lock. ``release`` hands its slot straight to the
first waiter (first come, first served: a newcomer cannot take it in between).
"""

from __future__ import annotations

import _thread
from collections import deque
from collections.abc import Callable
from typing import Any

import gevent.monkey
from gevent._hub_local import get_hub_if_exists
from gevent.hub import Hub, Waiter, get_hub
from greenlet import getcurrent

from fastrapi.concurrency import in_gevent_greenlet, is_patched

_allocate_lock: Callable[[], _thread.LockType] = gevent.monkey.get_original("_thread", "allocate_lock")


class _HubWaiter:
    """A greenlet waiting on its hub; ``wake`` may be called from any thread."""

    __slots__ = ("granted", "_watcher", "_waiter")

    def __init__(self) -> None:
        hub = get_hub()
        self.granted = False
        self._waiter: Waiter[Any] = Waiter(hub)
        self._watcher = hub.loop.async_()
        # Started before the waiter is queued, so no wake-up can come before it is watched.
        self._watcher.start(self._waiter.switch, None)

    def wake(self) -> None:
        self.granted = True
        self._watcher.send()

    def wait(self) -> None:
        try:
            self._waiter.get()
        finally:
            self._watcher.close()


class _ThreadWaiter:
    """A thread with no gevent hub, blocked on a real lock."""

    __slots__ = ("granted", "_lock")

    def __init__(self) -> None:
        self.granted = False
        self._lock = _allocate_lock()
        self._lock.acquire()

    def wake(self) -> None:
        self.granted = True
        self._lock.release()

    def wait(self) -> None:
        self._lock.acquire()


def _waiter() -> _HubWaiter | _ThreadWaiter:
    current = getcurrent()
    if isinstance(current, Hub):
        return _ThreadWaiter()  # the hub itself cannot wait on itself
    # A greenlet (or a thread whose hub is running greenlets) must let its hub run while it waits:
    # the slot may be held by another greenlet of the same thread.
    if in_gevent_greenlet() or is_patched() or get_hub_if_exists() is not None:
        return _HubWaiter()
    return _ThreadWaiter()


class ConcurrencyLimit:
    """At most ``max_concurrency`` holders at once; the others wait in arrival order."""

    __slots__ = ("max_concurrency", "_free", "_lock", "_waiters", "__weakref__")

    def __init__(self, max_concurrency: int) -> None:
        self.max_concurrency = max_concurrency
        self._free = max_concurrency
        self._lock = _allocate_lock()
        self._waiters: deque[_HubWaiter | _ThreadWaiter] = deque()

    @property
    def value(self) -> int:
        """The slots free now."""
        return self._free

    @property
    def waiting(self) -> int:
        """How many calls wait for a slot now."""
        return len(self._waiters)

    def acquire(self) -> None:
        """Take a slot, waiting (cooperatively in a greenlet) until one is free."""
        lock = self._lock
        with lock:
            if self._free:  # a free slot means nobody waits: release() hands slots to waiters first
                self._free -= 1
                return
            waiter = _waiter()
            self._waiters.append(waiter)
        try:
            waiter.wait()
        except BaseException:
            # Killed or interrupted while waiting: leave the queue, or pass on a slot given meanwhile.
            with lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
            if granted:
                self.release()
            raise

    def release(self) -> None:
        """Give a slot back: to the first waiter if any. Never blocks; callable from any thread."""
        with self._lock:
            if self._waiters:
                self._waiters.popleft().wake()
            else:
                self._free += 1

    # A copy of a declaration keeps its limit (as ``dataclasses.replace`` does); a lock cannot be copied.
    def __copy__(self) -> ConcurrencyLimit:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ConcurrencyLimit:
        return self

    def __repr__(self) -> str:
        return f"ConcurrencyLimit({self.max_concurrency}, free={self._free}, waiting={len(self._waiters)})"


def check_max_concurrency(value: object) -> None:
    """FastAPI's ValueError for anything but None or an int of at least 1 (``True`` included)."""
    if value is not None and (type(value) is not int or value < 1):
        raise ValueError("max_concurrency must be a positive integer or None")
