"""``/webhooks/{channel}``: the messengers' way in.

Order of work: handshake (some platforms send it unsigned), signature check before any parsing,
parse, claim each event id in the store (a retried delivery is dropped, across restarts and
workers, unless the earlier attempt failed: see ``store/events.py``), then either answer in the
response (Teams, generic without callback) or acknowledge at once and do the work after the
response (everyone else).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ..channels.base import BotReply, ChannelAdapter, InboundMessage, WebhookRejected, WebhookResponse
from ..channels.crypto import TokenError, TokenUnavailable
from ..channels.dingtalk import WebhookExpired
from ..channels.outbound import OutboundClient, OutboundError
from ..store import SessionStore
from ..store.events import EventClaim
from .deps import in_domain
from .errors import error_response

router = APIRouter()
log = logging.getLogger("salescoach.webhooks")
SYNC_BUDGET = 0.9  # share of the platform's acknowledgement limit a synchronous reply may use


def _response(answer: WebhookResponse) -> Response:
    return Response(answer.body, status_code=answer.status, media_type=answer.content_type)


def _rejected(error: WebhookRejected) -> JSONResponse:
    return error_response(error.status, "webhook_rejected", error.message)


@router.api_route("/webhooks/{channel}", methods=["GET", "POST"], include_in_schema=False)
async def webhook(channel: str, request: Request, background: BackgroundTasks) -> Response:
    adapters: Mapping[str, ChannelAdapter] = request.app.state.channels
    adapter = adapters.get(channel)
    if adapter is None:
        return error_response(404, "not_found", f"no channel {channel!r}")
    body = await request.body()
    headers = {key.lower(): value for key, value in request.headers.items()}
    query = dict(request.query_params)
    try:
        handshake = adapter.handshake(headers, query, body)
        if handshake is not None:
            return _response(handshake)
        if request.method != "POST":
            return error_response(405, "method_not_allowed", "POST only", headers={"Allow": "GET, POST"})
        adapter.verify(headers, query, body)
        messages = adapter.parse(headers, query, body)
    except WebhookRejected as error:
        log.info(
            "webhook rejected", extra={"channel": channel, "status": error.status, "reason": error.message}
        )
        return _rejected(error)
    store: SessionStore = request.app.state.sessions.store
    if not await _fresh_signature(store, adapter, headers, messages):
        log.info(
            "webhook rejected", extra={"channel": channel, "status": 401, "reason": "replayed signature"}
        )
        return error_response(401, "webhook_rejected", "replayed signature: seen before with another message")
    claimed = [(m, await run_in_threadpool(store.claim_event, channel, m.event_id)) for m in messages]
    todo = [(message, claim) for message, claim in claimed if claim.action != "skip"]
    if todo and _answers_inline(adapter, todo[0][0]):
        message, claim = todo[0]
        budget = adapter.ack_seconds * SYNC_BUDGET
        try:
            reply = await asyncio.wait_for(
                in_domain(request, _answer, request.app, message, claim), timeout=budget
            )
        except TimeoutError:
            log.warning("synchronous reply over budget", extra={"channel": channel})
            reply = None
        except Exception:
            log.exception("webhook work failed", extra={"channel": channel})
            return error_response(503, "unavailable", "the reply could not be made; deliver the event again")
        if reply is not None:
            await run_in_threadpool(store.event_delivered, channel, message.event_id)
        return _response(adapter.sync_response(message, reply))
    for message, claim in todo:
        background.add_task(deliver, request.app, adapter, message, claim)
    return _response(adapter.sync_response(None, None))


async def _fresh_signature(
    store: SessionStore, adapter: ChannelAdapter, headers: Mapping[str, str], messages: list[InboundMessage]
) -> bool:
    """Platforms whose signature does not cover the body (DingTalk) expose ``replay_key``: the pair
    must not come again with another message."""
    replay_key = getattr(adapter, "replay_key", None)
    key = replay_key(headers) if replay_key is not None and messages else None
    if key is None:
        return True
    window: timedelta = adapter.replay_window  # type: ignore[attr-defined]
    return bool(
        await run_in_threadpool(store.bind_signature, adapter.name, key, messages[0].event_id, window)
    )


def _answer(app, message: InboundMessage, claim: EventClaim) -> BotReply:  # type: ignore[no-untyped-def]
    """The reply to a claimed delivery: the kept one of an earlier attempt, or the coach's, kept in
    the store before anyone sends it. Work that fails releases the event for the platform's retry."""
    store: SessionStore = app.state.sessions.store
    if claim.action == "resend" and claim.reply is not None:
        return BotReply.from_dict(claim.reply)
    try:
        reply: BotReply = app.state.messenger.handle(message)
        store.event_answered(message.channel, message.event_id, reply.to_dict())
    except Exception:
        store.release_event(message.channel, message.event_id)
        raise
    return reply


def _answers_inline(adapter: ChannelAdapter, message: InboundMessage) -> bool:
    decide = getattr(adapter, "is_synchronous", None)
    return bool(decide(message)) if decide else adapter.synchronous


async def deliver(app, adapter: ChannelAdapter, message: InboundMessage, claim: EventClaim) -> None:  # type: ignore[no-untyped-def]
    """After the acknowledgement: run the coach, then call the platform's API with the reply. When
    the call fails the event is released with its reply kept: the platform's retry posts it."""
    started = time.perf_counter()
    store: SessionStore = app.state.sessions.store
    try:
        reply = await anyio.to_thread.run_sync(_answer, app, message, claim, limiter=app.state.domain_limiter)
    except Exception:
        app.state.metrics.errors.labels(code=f"unanswered:{adapter.name}").inc()
        log.exception("webhook work failed", extra={"channel": adapter.name})
        return
    client: OutboundClient = app.state.outbound
    try:
        await _ensure_token(client, adapter)
        for call in adapter.outbound(message, reply):
            await client.send(adapter.name, call)
    except (
        OutboundError,
        WebhookRejected,
        WebhookExpired,
        TokenError,
        TokenUnavailable,
        LookupError,
        ValueError,
    ) as error:
        app.state.metrics.errors.labels(code=f"undelivered:{adapter.name}").inc()
        log.warning("reply not delivered", extra={"channel": adapter.name, "error": type(error).__name__})
        await run_in_threadpool(store.release_event, message.channel, message.event_id)
        return
    await run_in_threadpool(store.event_delivered, message.channel, message.event_id)
    app.state.metrics.turn_seconds.labels(mode=f"webhook:{adapter.name}").observe(
        time.perf_counter() - started
    )


async def _ensure_token(client: OutboundClient, adapter: ChannelAdapter) -> None:
    """Platforms with an access token (Feishu, WeCom): fetch it when the cached one is missing or old."""
    cached = getattr(adapter, "cached_token", None)
    if cached is None or cached(time.time()):
        return
    response = await client.send(adapter.name, adapter.token_request())  # type: ignore[attr-defined]
    adapter.remember_token(json.loads(response.text), time.time())  # type: ignore[attr-defined]
