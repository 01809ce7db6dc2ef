"""How a path operation answers one request: solve its parameters, call its endpoint, send the result.

Exceptions leave through ``call_endpoint`` (after the request's ``yield`` dependencies saw them) for
the app's exception layer to answer; a response that fails while it is being sent leaves as
``SendFailed``, so that the layer answers it with ``exc_info``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from greenlet import getcurrent

from fastrapi import tasks as durable
from fastrapi.background import BackgroundTasks
from fastrapi.concurrency import run_async, run_sync
from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.exits import ExitingBody, RequestExits
from fastrapi.dependencies.solver import solve
from fastrapi.encoders import ReturnedStarletteResponse, jsonable_encoder
from fastrapi.exceptions import FastrAPIError
from fastrapi.requests import Request, set_body_limit
from fastrapi.responses import (
    ClosingBody,
    JSONResponse,
    Response,
    hand_over,
    json_bytes_response,
    json_headers,
    no_body_status,
)
from fastrapi.serialization import dumps
from fastrapi.starlette_objects import from_starlette, is_starlette_response
from fastrapi.task_commit import commit as commit_durable
from fastrapi.types import Environ, StartResponse


class StreamPlan(Protocol):
    def response(self, result: Any, status_code: int) -> Response: ...


class PathOperation(Protocol):
    """What answering a request needs of its route, all made when the route was added (``APIRoute``)."""

    @property
    def plan(self) -> RoutePlan: ...
    @property
    def plain_json(self) -> bool: ...  # a plain return value may go out as JSON without a Response object
    @property
    def status_line(self) -> str: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def serializer(self) -> Any: ...  # the response model's ``ResponseSerializer``, or None
    @property
    def response_class(self) -> type[Response]: ...
    @property
    def stream(self) -> StreamPlan | None: ...  # set for generator endpoints

    def plan_for(self, overrides: Mapping[Any, Any]) -> RoutePlan: ...

# Set by TestClient(raise_server_exceptions=True): errors reach the test after their answer is made.
RAISE_SERVER_EXCEPTIONS_KEY = "fastrapi.raise_server_exceptions"

FUNCTION_EXIT_SWALLOWED = (
    "No response was made: a dependency with yield and scope=\"function\" caught the endpoint's exception "
    "without raising it again."
)
RESPONSE_NOT_MADE = (
    "Response not awaited. There's a high chance that the application code is raising an exception and a "
    "dependency with yield has a block with a bare except, or a block with except Exception, and is not "
    "raising the exception again."
)


class SendFailed(Exception):
    """The response was made but failed as it was sent (a ``FileResponse`` whose file is gone...)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _SwallowedError(FastrAPIError):
    """Thrown into the request-scoped exits when a ``scope="function"`` one swallowed an exception."""


def call_endpoint(route: PathOperation, environ: Environ, start_response: StartResponse,
                  path_params: dict[str, Any]) -> Iterable[bytes]:
    """Answer one request ``route`` matched."""
    plan = route.plan
    tasks: BackgroundTasks | None = None
    sub_response: Response | None = None
    if plan.reads_nothing:  # PERF: no Request and no solve for these
        if plan.max_body_size is not None:
            set_body_limit(environ, plan.max_body_size)  # the app's limit: FastAPI answers 413 here too
        kwargs: dict[str, Any] = {}
        if plan.background_arg:
            tasks = kwargs[plan.background_arg] = BackgroundTasks()
        if plan.response_arg:
            sub_response = kwargs[plan.response_arg] = new_sub_response()
    else:
        request = Request(environ, path_params)
        if plan.dependencies:
            overrides = getattr(request.app, "dependency_overrides", None)
            if overrides:
                plan = route.plan_for(overrides)
        if plan.has_exits:
            return _call_with_exits(route, plan, request, environ, start_response)
        sub_response = new_sub_response() if plan.needs_response else None
        tasks = BackgroundTasks() if plan.needs_background else None
        kwargs = solve(plan, request, sub_response, tasks)
    # PERF: _call's two lines inline, on the path every request takes.
    result = run_async(plan.call, (), kwargs, plan.suspends) if plan.is_async else run_sync(plan.call, **kwargs)
    return send(route, environ, start_response, result, sub_response, tasks)


def _call(plan: RoutePlan, kwargs: dict[str, Any]) -> Any:
    if plan.is_async:
        return run_async(plan.call, (), kwargs, plan.suspends)
    return run_sync(plan.call, **kwargs)


def _call_with_exits(route: PathOperation, plan: RoutePlan, request: Request, environ: Environ,
                     start_response: StartResponse) -> Iterable[bytes]:
    """``call_endpoint`` for a route with ``yield`` dependencies (see ``_respond_with_exits``)."""
    exits = RequestExits()
    sub_response = new_sub_response() if plan.needs_response else None
    tasks = BackgroundTasks() if plan.needs_background else None
    response = _respond_with_exits(route, plan, request, exits, sub_response, tasks)
    return send(route, environ, start_response, response, None, tasks, exits)


def _respond_with_exits(route: PathOperation, plan: RoutePlan, request: Request, exits: RequestExits,
                        sub_response: Response | None, tasks: BackgroundTasks | None) -> Response:
    """The endpoint's response, in FastAPI's order: the ``scope="function"`` exits run once the
    response is made, the request-scoped ones (left in ``exits``) after the response is sent and its
    tasks have run; an exception on the way is thrown into them (function scope first) before it is
    answered."""
    try:
        try:
            kwargs = solve(plan, request, sub_response, tasks, exits)
            response = to_response(route, _call(plan, kwargs), sub_response)
        except BaseException as exc:
            error = exits.exit_function(exc)
            raise _SwallowedError(FUNCTION_EXIT_SWALLOWED) if error is None else error
        error = exits.exit_function(None)
        if error is not None:
            raise error
    except BaseException as exc:
        # Through the request-scoped exits, then to the exception layer.
        raise exits.exit_request(exc) or FastrAPIError(RESPONSE_NOT_MADE) from None
    return response


# Where ``respond`` leaves a request's ``yield`` dependency exits for the route's ``handle`` to run.
EXITS_KEY = "fastrapi.request_exits"


def respond(route: PathOperation, request: Request) -> Response:
    """The ``Response`` ``route`` makes for ``request``, its background tasks attached: what the default
    ``APIRoute.get_route_handler()`` returns (a custom route class wraps it)."""
    plan = route.plan
    if plan.dependencies:
        overrides = getattr(request.app, "dependency_overrides", None)
        if overrides:
            plan = route.plan_for(overrides)
    sub_response = new_sub_response() if plan.needs_response else None
    tasks = BackgroundTasks() if plan.needs_background else None
    if plan.has_exits:
        exits = request.environ[EXITS_KEY] = RequestExits()
        response = _respond_with_exits(route, plan, request, exits, sub_response, tasks)
    else:
        kwargs = solve(plan, request, sub_response, tasks)
        response = to_response(route, _call(plan, kwargs), sub_response)
    if tasks is not None and tasks.tasks:
        # As ``send`` does: the injected tasks first, then the response's own.
        if response.background is not None:
            tasks.tasks.append(response.background)
        response.background = tasks
    return response


def send(route: PathOperation, environ: Environ, start_response: StartResponse, result: Any,
         sub_response: Response | None, tasks: BackgroundTasks | None,
         exits: RequestExits | None = None) -> Iterable[bytes]:
    """Answer with the endpoint's ``result``; the body's ``close()`` hands the tasks (then the
    request-scoped exits) to the background runner."""
    if sub_response is None and route.plain_json and not isinstance(result, Response):
        # PERF: the common answer (a JSON body, no sub-response) straight to WSGI, with the status,
        # headers, body and task hand-over the general path gives, without a Response object.
        serializer = route.serializer
        try:
            body = dumps(result) if serializer is None else serializer.to_json(result)
        except Exception as exc:
            if not is_starlette_response(result):
                if isinstance(exc, ReturnedStarletteResponse):  # one inside the value: not JSON (FastAPI: a 500)
                    raise TypeError(f"Object of type {type(exc.response).__name__} is not JSON serializable") \
                        from None
                raise
            # Starlette's own Response, returned as is (``from starlette.responses import ...``).
            return send(route, environ, start_response, from_starlette(result), sub_response, tasks, exits)
        if tasks is not None and tasks.tasks and durable.marked:  # durable tasks: in the queue before any byte
            tasks, refused = commit_durable(environ, tasks)
            if refused is not None:
                return refused(environ, start_response)
        start_response(route.status_line, json_headers(body))
        chunks = [body] if environ["REQUEST_METHOD"] != "HEAD" else []
        return ClosingBody(chunks, hand_over(environ, tasks)) if tasks is not None and tasks.tasks else chunks
    response = to_response(route, result, sub_response)
    if tasks is not None and tasks.tasks:
        # All tasks run: the injected ones first, then the response's own (FastAPI drops the former).
        if response.background is not None:
            tasks.tasks.append(response.background)
        response.background = tasks
    if response.background is not None and durable.marked:  # durable tasks: in the queue before any byte
        response.background, refused = commit_durable(environ, response.background)
        if refused is not None:
            response = refused
    if exits is None or not exits.request:
        try:
            return response(environ, start_response)
        except Exception as exc:
            raise SendFailed(exc) from exc
    background, response.background = response.background, None
    cleanup = in_current_context(exits.after_response(bool(environ.get(RAISE_SERVER_EXCEPTIONS_KEY))))
    try:
        body = response(environ, start_response)
    except Exception as exc:  # as FastAPI: raised inside the request's exit stack
        error = exits.exit_request(exc) or FastrAPIError(RESPONSE_NOT_MADE)
        if not isinstance(error, Exception):
            raise error from None
        raise SendFailed(error) from exc
    return ExitingBody(body, hand_over(environ, background, cleanup))


def to_response(route: PathOperation, result: Any, sub_response: Response | None) -> Response:
    """The endpoint's return value as a ``Response`` of the route's class, status and headers."""
    if isinstance(result, Response):
        return result
    if is_starlette_response(result):
        return from_starlette(result)
    status_code = route.status_code
    if sub_response is not None and sub_response.status_code:
        status_code = sub_response.status_code
    if route.stream is not None:
        response = route.stream.response(result, status_code or 200)
    elif route.response_class is JSONResponse:
        # PERF: one encode straight to bytes (the response model's dump_json), no JSONResponse construction.
        serializer = route.serializer
        body = dumps(result) if serializer is None else serializer.to_json(result)
        response = json_bytes_response(body, status_code or 200)
    else:
        serializer = route.serializer
        content = jsonable_encoder(result if serializer is None else serializer.to_jsonable(result))
        # As FastAPI: the class's own default status (RedirectResponse: 307) unless one was chosen.
        response = (route.response_class(content) if status_code is None
                    else route.response_class(content, status_code=status_code))
        if no_body_status(response.status_code):
            response.body = b""
    if sub_response is not None:
        for key, value in sub_response.headers.raw():
            response.headers.append(key, value)
    return response


def new_sub_response() -> Response:
    """The ``response: Response`` an endpoint may take: no status and no headers of its own yet."""
    response = Response()
    response.status_code = None  # type: ignore[assignment]
    del response.headers["content-length"]
    return response


def in_current_context(cleanup: Callable[[], None]) -> Callable[[], None]:
    """``cleanup`` run later in the ``Context`` current now (the request's own, not a copy), where the
    dependencies were entered: a ``ContextVar`` token set before a ``yield`` can be reset after it."""
    context = getcurrent().gr_context  # the running Context object itself (contextvars has no getter for it)
    if context is None:
        return cleanup

    def run() -> None:
        started = False

        def inside() -> None:
            nonlocal started
            started = True
            cleanup()

        try:
            context.run(inside)
        except RuntimeError:
            if started:
                raise
            cleanup()  # the context is still entered: close() was called inside the request (a buffering middleware)

    return run
