"""``@app.middleware("http")`` and ``BaseHTTPMiddleware``: a ``dispatch(request, call_next)`` around a WSGI app.

``call_next(request)`` runs the rest of the stack and returns its response, status and headers
known, body not yet sent; ``dispatch`` may change it or return another response. ``def`` and
``async def`` dispatch functions both work. An ``async def`` whose only awaits are ``call_next``
and reading ``response.body_iterator`` (checked once, from its source) is driven inline; any
other runs on the bridge loop, with ``call_next`` hopping back to the request's greenlet.
"""

from __future__ import annotations

import ast
import enum
import inspect
import textwrap
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, Final, Literal, TypeVar

from fastrapi.concurrency import Hop, drive, is_async_callable
from fastrapi.datastructures import MutableHeaders
from fastrapi.middleware._trampoline import Immediate, Trampoline
from fastrapi.requests import Request
from fastrapi.responses import ClosingBody, Response
from fastrapi.websockets import is_websocket_request

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# ``def`` or ``async def`` dispatch(request, call_next) -> Response; call_next is awaited only in the latter.
DispatchFunction = Callable[[Request, Any], Any]

T = TypeVar("T")


class _End(enum.Enum):
    END = enum.auto()


_END: Final = _End.END  # the end of a body (a typed sentinel: a chunk is never it)
_REQUEST_READS = frozenset({"body", "json", "form"})


class CallNextResponse(Response):
    """The inner app's response as ``call_next`` returns it: ``status_code``, ``headers``, ``body_iterator``."""

    def __init__(self, status_code: int, headers: list[tuple[str, str]], body: Iterable[bytes], hop: Hop) -> None:
        self.status_code = status_code
        self.headers = MutableHeaders(headers)
        self.background = None
        self.media_type = self.headers.get("content-type")
        self._body = body
        self._chunks: Iterator[bytes] | None = None
        self._closed = False
        self.body_iterator = BodyIterator(self, hop)

    def next_chunk(self) -> bytes | Literal[_End.END]:
        """The next body chunk, or ``_END``."""
        if self._chunks is None:
            self._chunks = iter(self._body)
        return next(self._chunks, _END)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.start(start_response)
        return ClosingBody(_Remaining(self), self.close)

    def close(self) -> None:
        """Close the inner body once (its close() finishes the inner request: tasks, cleanup)."""
        if not self._closed:
            self._closed = True
            close = getattr(self._body, "close", None)
            if close is not None:
                close()


class _Remaining:
    __slots__ = ("_response",)

    def __init__(self, response: CallNextResponse) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self._response.next_chunk()) is not _END:
            yield chunk


class BodyIterator:
    """The body chunks: ``async for chunk in response.body_iterator`` (or a plain ``for``)."""

    __slots__ = ("_response", "_hop")

    def __init__(self, response: CallNextResponse, hop: Hop) -> None:
        self._response = response
        self._hop = hop

    def __iter__(self) -> Iterator[bytes]:
        return iter(_Remaining(self._response))

    def __aiter__(self) -> BodyIterator:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self._hop(self._response.next_chunk)
        if chunk is _END:
            raise StopAsyncIteration
        return chunk


def call_app(app: WSGIApp, environ: dict[str, Any], hop: Hop) -> CallNextResponse:
    """Call a WSGI app and hold its answer: status and headers, and the body iterable unread."""
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and started and started[-1]:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers, False]
        return written.append

    body = app(environ, start_response)
    if not started:
        # A lazy app calls start_response when its body is first iterated.
        iterator = iter(body)
        first = next(iterator, None)
        if not started:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            raise RuntimeError("No response returned.")
        body = ClosingBody(_prepend([first] if first else [], iterator), getattr(body, "close", None) or _noop)
    if written:
        body = ClosingBody(_prepend(written, iter(body)), getattr(body, "close", None) or _noop)
    status, headers = started[0], started[1]
    return CallNextResponse(int(status[:3]), list(headers), body, hop)


def _prepend(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _noop() -> None:
    return None


def _close_all(responses: list[CallNextResponse]) -> None:
    for response in responses:
        response.close()


def _sync_hop(fn: Callable[[], T]) -> Immediate[T]:
    return Immediate(fn)


class BaseHTTPMiddleware:
    """Subclass and define ``dispatch(request, call_next)``, or pass ``dispatch=func``."""

    def __init__(self, app: WSGIApp, dispatch: DispatchFunction | None = None) -> None:
        self.app = app
        self.dispatch_func: DispatchFunction = self.dispatch if dispatch is None else dispatch
        self.is_async = is_async_callable(self.dispatch_func)
        self.inline = self.is_async and awaits_only_call_next(self.dispatch_func)

    def dispatch(self, request: Request, call_next: Any) -> Response:
        raise NotImplementedError()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "HTTP_UPGRADE" in environ and is_websocket_request(environ):
            return self.app(environ, start_response)  # HTTP middleware only, as Starlette's
        request = Request(environ)
        calls: list[CallNextResponse] = []
        try:
            response = self._run(request, environ, calls)
        except BaseException:
            for inner in calls:
                inner.close()
            raise
        if response is None:
            for inner in calls:
                inner.close()
            raise TypeError("The middleware's dispatch returned no response")
        body = response(environ, start_response)
        # Inner responses not sent still get closed (their tasks run), after the one sent.
        others = [inner for inner in calls if inner is not response]
        if not others:
            return body
        return ClosingBody(body, lambda: _close_all(others))

    def _run(self, request: Request, environ: dict[str, Any], calls: list[CallNextResponse]) -> Response | None:
        app = self.app

        if not self.is_async:
            def call_next_sync(_request: Request) -> CallNextResponse:
                calls.append(call_app(app, environ, _sync_hop))
                return calls[-1]

            response: Response | None = self.dispatch_func(request, call_next_sync)
            return response

        if self.inline:
            def call_next_inline(_request: Request) -> Immediate[CallNextResponse]:
                def run() -> CallNextResponse:
                    calls.append(call_app(app, environ, _sync_hop))
                    return calls[-1]

                return Immediate(run)

            inline: Response | None = drive(self.dispatch_func(request, call_next_inline))
            return inline

        trampoline = Trampoline()

        def call_next_bridged(_request: Request) -> Awaitable[CallNextResponse]:
            def run() -> CallNextResponse:
                calls.append(call_app(app, environ, trampoline.hop))
                return calls[-1]

            return trampoline.hop(run)

        bridged: Response | None = trampoline.run(self.dispatch_func(request, call_next_bridged))
        return bridged


def awaits_only_call_next(func: Callable[..., Any]) -> bool:
    """Whether every await in ``async def func(request, call_next)`` is on ``call_next(...)``,
    ``request.body()/json()/form()`` or the response's ``body_iterator`` (so the coroutine never
    needs an event loop)."""
    try:
        names = list(inspect.signature(func).parameters)
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, ValueError, SyntaxError):
        return False
    if len(names) < 2 or not tree.body or not isinstance(tree.body[0], ast.AsyncFunctionDef):
        return False
    request, call_next = names[0], names[1]
    return all(_never_suspends(node, request, call_next) for node in _own_nodes(tree.body[0]))


def _own_nodes(function: ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of ``function``'s body, not those of functions or classes defined inside it."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # its awaits belong to another coroutine
        stack.extend(ast.iter_child_nodes(node))


def _is_body_iterator(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "body_iterator"


def _never_suspends(node: ast.AST, request: str, call_next: str) -> bool:
    if isinstance(node, ast.Await):
        value = node.value
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if isinstance(func, ast.Name):
            return func.id == call_next
        # ``await request.body()`` and friends read the WSGI input: they never wait on a loop.
        return (isinstance(func, ast.Attribute) and func.attr in _REQUEST_READS
                and isinstance(func.value, ast.Name) and func.value.id == request)
    if isinstance(node, ast.AsyncWith):
        return False
    if isinstance(node, ast.AsyncFor):
        return _is_body_iterator(node.iter)
    if isinstance(node, ast.comprehension) and node.is_async:
        return _is_body_iterator(node.iter)
    return True
