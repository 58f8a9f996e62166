"""The OpenAPI document the app serves, with the numbers the app actually enforces."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..settings import Settings


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve the generated document with each ``x-limit`` marker (schemas.TEXT_LIMIT) turned into
    the configured ``maxLength``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version, routes=app.routes
            )
            app.openapi_schema = _with_limits(document, {"max_query_chars": settings.max_query_chars})
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _with_limits(node: Any, limits: dict[str, int]) -> Any:
    if isinstance(node, dict):
        out = {key: _with_limits(value, limits) for key, value in node.items() if key != "x-limit"}
        if "x-limit" in node:
            out["maxLength"] = limits[node["x-limit"]]
        return out
    if isinstance(node, list):
        return [_with_limits(value, limits) for value in node]
    return node
