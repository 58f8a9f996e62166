"""Map domain errors and malformed requests to clear JSON errors (never a 500 for bad input)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import IndexNotReady, InvalidInput, PlaybookError
from ..store import SessionNotFound

log = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, details: list | None = None) -> JSONResponse:
    body: dict = {"error": {"code": code, "message": message}, "detail": message}
    if details:
        body["error"]["details"] = details
    return JSONResponse(status_code=status, content=body)


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    return f"{location or 'request'}: {error.get('msg', 'invalid value')}"


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    details = [{"field": ".".join(map(str, e.get("loc", ()))), "message": e.get("msg")} for e in errors]
    return _error(422, "invalid_request", "; ".join(_describe(e) for e in errors), details)


async def _invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
    return _error(422, "invalid_input", str(exc))


async def _not_ready(_: Request, exc: IndexNotReady) -> JSONResponse:
    return _error(503, "not_ready", str(exc))


async def _playbook(_: Request, exc: PlaybookError) -> JSONResponse:
    log.error("playbook error: %s", exc)
    return _error(500, "playbook_error", "the coach's data files are broken; see the server log")


async def _not_found(_: Request, exc: SessionNotFound) -> JSONResponse:
    return _error(404, "not_found", f"no session {exc.args[0]!r}" if exc.args else "no such session")


async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI's "error parsing the body": undecodable bytes are bad input too
        return _error(422, "invalid_request", "the request body is not valid JSON (send UTF-8 encoded JSON)")
    return _error(exc.status_code, "http_error", str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidInput, _invalid_input)  # type: ignore[arg-type]
    app.add_exception_handler(IndexNotReady, _not_ready)  # type: ignore[arg-type]
    app.add_exception_handler(PlaybookError, _playbook)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(SessionNotFound, _not_found)  # type: ignore[arg-type]
