"""The OpenAPI document the app serves, with the numbers and names the app actually enforces."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..settings import Settings
from .scenarios_api import scenario_chars


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve the generated document with each marker of ``schemas`` resolved: ``x-limit`` becomes
    the configured ``maxLength`` (TEXT_RULES), ``x-enum`` the loaded names (DRILLS),
    ``x-examples`` the built-in scenario ids (custom ones are stored, so no enum)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            services = getattr(app.state, "services", None)
            enums = (
                {
                    "scenarios": sorted(services.rehearsal.scenarios),
                    "drills": services.drills.frameworks,
                    "frameworks": services.analyser.frameworks.names,
                }
                if services is not None
                else {}
            )
            document = get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version, routes=app.routes
            )
            resolved = _resolve(
                document,
                {
                    "max_query_chars": settings.max_query_chars,
                    "review_max_bytes": settings.review_max_bytes,
                    "max_scenario_chars": scenario_chars(settings.max_body_bytes),
                },
                enums,
            )
            if services is None:
                return resolved  # served before start-up finished: do not keep it
            app.openapi_schema = resolved
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _resolve(node: Any, limits: dict[str, int], enums: dict[str, list[str]]) -> Any:
    if isinstance(node, dict):
        out = {
            key: _resolve(value, limits, enums)
            for key, value in node.items()
            if key not in ("x-limit", "x-enum", "x-examples")
        }
        if "x-limit" in node:
            out["maxLength"] = limits[node["x-limit"]]
        if node.get("x-enum") in enums:
            out["enum"] = enums[node["x-enum"]]
        if node.get("x-examples") in enums:  # an open set (stored scenarios too): examples, no enum
            out["examples"] = enums[node["x-examples"]]
        return out
    if isinstance(node, list):
        return [_resolve(value, limits, enums) for value in node]
    return node
