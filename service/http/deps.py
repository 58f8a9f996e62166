"""Dependencies for the routes: everything comes from ``app.state``, never from module globals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from ..container import Services
from ..errors import IndexNotReady


def get_services(request: Request) -> Services:
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None or not services.index.ready:
        raise IndexNotReady("the handbook index is still loading")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


class TextLimit:
    """``SALESCOACH_MAX_QUERY_CHARS`` for the request models' text fields (the schema states it as
    ``maxLength``, see ``openapi.py``): checked on the text as sent, like any other schema rule."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def check(self, value: str, *loc: str) -> str:
        if len(value) > self.limit:
            raise RequestValidationError(
                [
                    {
                        "type": "string_too_long",
                        "loc": loc,
                        "msg": f"String should have at most {self.limit} characters",
                    }
                ]
            )
        return value


def get_text_limit(request: Request) -> TextLimit:
    return TextLimit(request.app.state.settings.max_query_chars)


TextLimitDep = Annotated[TextLimit, Depends(get_text_limit)]
