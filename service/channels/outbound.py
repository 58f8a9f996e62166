"""Calls to the messengers' APIs: httpx with timeouts, retries with exponential backoff on 5xx, 429
and network errors (tenacity), every failure logged and counted."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from .base import OutboundRequest

log = logging.getLogger("salescoach.outbound")


class OutboundError(Exception):
    """A platform API call failed for good (after retries, or with a non-retryable status)."""


def _retryable(error: BaseException) -> bool:
    if isinstance(error, httpx.TransportError):
        return True
    return isinstance(error, httpx.HTTPStatusError) and (
        error.response.status_code == 429 or error.response.status_code >= 500
    )


class OutboundClient:
    def __init__(
        self,
        timeout: float = 10.0,
        retries: int = 3,
        on_error: Callable[[str], None] | None = None,
        backoff: float = 0.5,
    ) -> None:
        self._client = httpx.AsyncClient(timeout=timeout)
        self._retries = retries
        self._on_error = on_error or (lambda channel: None)
        self._backoff = backoff

    async def send(self, channel: str, request: OutboundRequest) -> httpx.Response:
        """Send one request; retry what may succeed later; raise OutboundError otherwise."""
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_retryable),
                stop=stop_after_attempt(self._retries + 1),
                wait=wait_exponential(multiplier=self._backoff, max=8),
                reraise=True,
            ):
                with attempt:
                    response = await self._client.request(
                        request.method, request.url, headers=dict(request.headers), json=request.json
                    )
                    response.raise_for_status()
                    return response
        except (httpx.HTTPError, OSError) as error:
            self._on_error(channel)
            log.warning(
                "outbound call failed",
                extra={"channel": channel, "url": _safe(request.url), "error": str(error)},
            )
            raise OutboundError(f"{channel}: {error}") from error
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._client.aclose()


def _safe(url: str) -> str:
    """The URL without its query string (tokens travel there on some platforms)."""
    return url.split("?", 1)[0]
