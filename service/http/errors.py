"""Map domain errors and malformed requests to clear JSON errors (never a 500 for bad input)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import IndexNotReady, InvalidInput, PlaybookError, UnknownScenario
from ..store import PlanNotFound, ReviewNotFound, ScenarioExists, SessionNotFound

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(description="Where: e.g. body.text, query.q.")
    message: str


class ErrorInfo(BaseModel):
    code: str = Field(description="invalid_request, invalid_input, not_found, too_large, timeout, …")
    message: str = Field(description="What is wrong, for people.")
    details: list[FieldError] = Field(default_factory=list, description="Per field, for invalid requests.")


class ErrorBody(BaseModel):
    """Every error the service answers (4xx and 5xx), from the API, the body limits and the webhooks."""

    error: ErrorInfo
    detail: str = Field(description="error.message again, for clients of FastAPI's usual shape.")


# What every operation may answer besides its success (declared on each one in the OpenAPI document).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": ErrorBody,
        "description": "Client error: 404 unknown id (session, plan, scenario), 405 method (with Allow), 408 body too slow, "
        "409 a stored scenario with this id exists, 413 body too large, 422 invalid request.",
    },
    503: {"model": ErrorBody, "description": "Not ready yet: the handbook index is loading."},
}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one JSON error body of the service (``ErrorBody``): every 4xx/5xx it answers."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}, "detail": message}
    if details:
        body["error"]["details"] = details
    return body


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
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


async def _not_found(_: Request, exc: SessionNotFound | ReviewNotFound) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


async def _plan_not_found(_: Request, exc: PlanNotFound) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


async def _unknown_scenario(_: Request, exc: UnknownScenario) -> JSONResponse:
    return error_response(404, "not_found", str(exc))


async def _scenario_exists(_: Request, exc: ScenarioExists) -> JSONResponse:
    return error_response(409, "conflict", str(exc))


def _allowed(request: Request) -> str | None:
    """Every method the path takes, from the OpenAPI document: Starlette's 405 names only the
    first route of the path (``GET /api/scenarios`` and ``POST /api/scenarios`` are two routes)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), request.url.path):
            methods |= {method.upper() for method in operations if method != "parameters"}
    return ", ".join(sorted(methods)) if methods else None


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI's "error parsing the body": undecodable bytes are bad input too
        return error_response(
            422, "invalid_request", "the request body is not valid JSON (send UTF-8 encoded JSON)"
        )
    # exc.headers: a 405 carries Allow (RFC 9110), and the like
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed(request)):
        headers["Allow"] = allowed
    return error_response(exc.status_code, "http_error", str(exc.detail), headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidInput, _invalid_input)  # type: ignore[arg-type]
    app.add_exception_handler(IndexNotReady, _not_ready)  # type: ignore[arg-type]
    app.add_exception_handler(PlaybookError, _playbook)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(SessionNotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(ReviewNotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(PlanNotFound, _plan_not_found)  # type: ignore[arg-type]
    app.add_exception_handler(ScenarioExists, _scenario_exists)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownScenario, _unknown_scenario)  # type: ignore[arg-type]
