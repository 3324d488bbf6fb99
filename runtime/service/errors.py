"""Every error leaves as JSON ``{"error": {"code", "message", ...}}``.

Bad input is a 4xx naming what is wrong; a 500 would mean a bug, and the tests hunt for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from runtime.core.errors import CompileError, GraphLoadError
from runtime.store import Conflict, Forbidden, InvalidInput, NotFound, Throttled


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        after: Callable[[], None] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.after = after
        """Run once the answer is sent (work whose duration must not show in the answer's)."""
        self.extra = extra


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def _body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            _body(exc.code, exc.message, **exc.extra),
            status_code=exc.status,
            headers=exc.headers,
            background=None if exc.after is None else BackgroundTask(exc.after),
        )

    @app.exception_handler(NotFound)
    async def missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(_body("not_found", f"{exc.what} not found"), status_code=404)

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Conflict) -> JSONResponse:
        extra = {} if exc.current_version is None else {"current_version": exc.current_version}
        return JSONResponse(_body("conflict", str(exc), **extra), status_code=409)

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(_body("forbidden", str(exc)), status_code=403)

    @app.exception_handler(Throttled)
    async def throttled(_: Request, exc: Throttled) -> JSONResponse:
        return JSONResponse(
            _body("unavailable", "the data store is busy; retry shortly"),
            status_code=503,
            headers={"retry-after": "1"},
        )

    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse(_body("invalid", str(exc)), status_code=422)

    @app.exception_handler(CompileError)
    async def not_valid(_: Request, exc: CompileError) -> JSONResponse:
        diagnostics = [d.model_dump(exclude_defaults=True) for d in exc.diagnostics]
        return JSONResponse(
            _body("graph_invalid", str(exc), diagnostics=diagnostics), status_code=422
        )

    @app.exception_handler(GraphLoadError)
    async def unreadable(_: Request, exc: GraphLoadError) -> JSONResponse:
        return JSONResponse(_body("graph_invalid", str(exc)), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _location(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()[:20]
        ]
        first = problems[0] if problems else {"field": "request", "message": "invalid"}
        message = f"{first['field']}: {first['message']}"
        return JSONResponse(_body("invalid", message, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # FastAPI's words for a body that is not JSON (or not UTF-8): say which it was.
            return JSONResponse(
                _body("invalid", "body: not valid JSON in UTF-8 text"), status_code=422
            )
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "error"
        )
        return JSONResponse(
            _body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )
