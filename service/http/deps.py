"""Dependencies for the routes: everything comes from ``app.state``, never from module globals."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from ..container import Services
from ..errors import IndexNotReady
from .schemas import VISIBLE

_VISIBLE = re.compile(VISIBLE)
T = TypeVar("T")


async def get_services(request: Request) -> Services:  # async: no thread hop per request
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None or not services.index.ready:
        raise IndexNotReady("the handbook index is still loading")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


class TextRules:
    """The rules of the request models' text fields, as the schema states them (``schemas.TEXT_RULES``):
    at most ``SALESCOACH_MAX_QUERY_CHARS`` characters, and something besides whitespace and NUL.
    Checked on the text as sent, like any other schema rule, with the same 422."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def check(self, value: str, *loc: str) -> str:
        if len(value) > self.limit:
            self._fail(loc, "string_too_long", f"String should have at most {self.limit} characters")
        if _VISIBLE.search(value) is None:
            self._fail(loc, "string_blank", "the text is empty (only whitespace)")
        return value

    @staticmethod
    def _fail(loc: tuple[str, ...], kind: str, message: str) -> None:
        raise RequestValidationError([{"type": kind, "loc": loc, "msg": message}])


async def get_text_rules(request: Request) -> TextRules:
    return TextRules(request.app.state.settings.max_query_chars)


TextRulesDep = Annotated[TextRules, Depends(get_text_rules)]


async def in_domain(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run domain work (anything that may embed: turns, search, ask, classify) on a worker thread,
    at most ``Settings.domain_concurrency`` at once. More threads than the embedder can serve only
    queue inside it, fighting over the GIL; the rest wait here, on the event loop, for free."""
    limiter: anyio.CapacityLimiter = request.app.state.domain_limiter
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter)
