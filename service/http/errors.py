"""Map domain errors and malformed requests to clear JSON errors (never a 500 for bad input)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import IndexNotReady, InvalidInput, PlaybookError
from ..store import SessionNotFound

log = logging.getLogger(__name__)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one JSON error body of the service (``schemas.ErrorBody``): every 4xx/5xx it answers."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}, "detail": message}
    if details:
        body["error"]["details"] = details
    return body


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(status_code=status, content=error_body(code, message, details), headers=headers)


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    return f"{location or 'request'}: {error.get('msg', 'invalid value')}"


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    details = [{"field": ".".join(map(str, e.get("loc", ()))), "message": e.get("msg")} for e in errors]
    return error_response(422, "invalid_request", "; ".join(_describe(e) for e in errors), details)


async def _invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
    return error_response(422, "invalid_input", str(exc))


async def _not_ready(_: Request, exc: IndexNotReady) -> JSONResponse:
    return error_response(503, "not_ready", str(exc))


async def _playbook(_: Request, exc: PlaybookError) -> JSONResponse:
    log.error("playbook error: %s", exc)
    return error_response(500, "playbook_error", "the coach's data files are broken; see the server log")


async def _not_found(_: Request, exc: SessionNotFound) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI's "error parsing the body": undecodable bytes are bad input too
        return error_response(
            422, "invalid_request", "the request body is not valid JSON (send UTF-8 encoded JSON)"
        )
    return error_response(exc.status_code, "http_error", str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidInput, _invalid_input)  # type: ignore[arg-type]
    app.add_exception_handler(IndexNotReady, _not_ready)  # type: ignore[arg-type]
    app.add_exception_handler(PlaybookError, _playbook)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(SessionNotFound, _not_found)  # type: ignore[arg-type]
