"""ASGI middleware: request bodies read whole with a size limit (413) and a deadline (408) before
anything is parsed, and structured request logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body
from .metrics import Metrics

log = logging.getLogger("salescoach.http")


class RequestBody:
    """Read every request body here, whole, before the app sees it: over ``limit`` bytes (declared
    or streamed, chunked included) is a 413, a body not complete within ``timeout`` seconds (declared
    but never sent, or dribbled) a 408, both answered with ``Connection: close``. The app then reads
    the buffered body (at most ``limit`` bytes held per request)."""

    def __init__(
        self, app: ASGIApp, limit: int, timeout: float, limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout
        self.limits = limits or {}  # a larger limit for some paths (a transcript to review)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope.get("path", ""), self.limit)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject(send, 413, "too_large", f"the request body is larger than {limit} bytes")
            return
        try:
            async with asyncio.timeout(self.timeout):  # no task per request, unlike wait_for
                body, disconnected = await self._read(receive, limit)
        except _TooLarge:
            await _reject(send, 413, "too_large", f"the request body is larger than {limit} bytes")
            return
        except TimeoutError:
            await _reject(send, 408, "timeout", f"the request body did not arrive within {self.timeout:g} s")
            return
        if disconnected:
            return
        replayed = False

        async def buffered() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, buffered, send)

    async def _read(self, receive: Receive, limit: int) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False


async def _reject(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read: this connection is done
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class RequestLog:
    """One log line per request: method, route, status, duration, request id — never message text."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(route=route, status=str(status)).observe(elapsed)
            if status >= 400:
                self.metrics.errors.labels(code=str(status)).inc()
            log.info(
                "request",
                extra={"request_id": request_id, "method": scope["method"], "route": route, "status": status,
                       "duration_ms": round(elapsed * 1000, 1)},
            )  # fmt: skip
