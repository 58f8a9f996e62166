"""Our own webhook for any client: signed JSON in, the reply in the response or POSTed to a callback.

Signature: ``X-SalesCoach-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + raw_body))`` with
``X-SalesCoach-Timestamp`` in Unix seconds, accepted within 5 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import SecretStr

from .base import BotReply, InboundMessage, OutboundRequest, WebhookRejected, WebhookResponse
from .payload import header, json_object, required_str

WINDOW_SECONDS = 5 * 60
TIMESTAMP_HEADER = "X-SalesCoach-Timestamp"
SIGNATURE_HEADER = "X-SalesCoach-Signature"


def _base_string(timestamp: str, body: bytes) -> bytes:
    return timestamp.encode("utf-8") + b"." + body


def sign(secret: str | SecretStr, timestamp: str, body: bytes) -> str:
    """The ``X-SalesCoach-Signature`` value a client sends with ``body`` at ``timestamp``."""
    key = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    digest = hmac.new(key.encode("utf-8"), _base_string(timestamp, body), hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


class GenericAdapter:
    """The generic signed-JSON webhook. ``synchronous`` says it *may* answer in the response; whether a
    given request does is ``is_synchronous`` (no ``callback_url``)."""

    name = "generic"
    ack_seconds = 5.0
    synchronous = True

    def __init__(self, secret: SecretStr, clock: Callable[[], float] = time.time) -> None:
        if not secret.get_secret_value():
            raise ValueError("generic webhook secret must not be empty")  # anyone could sign with ""
        self._secret = secret
        self._clock = clock

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """Our clients need no handshake."""
        return None

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """HMAC over timestamp and raw body, constant-time compare, 5-minute window against replays."""
        timestamp = header(headers, TIMESTAMP_HEADER)
        signature = header(headers, SIGNATURE_HEADER)
        if not timestamp or not signature:
            raise WebhookRejected(401, f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise WebhookRejected(401, f"{TIMESTAMP_HEADER} must be Unix seconds") from None
        if abs(self._clock() - sent_at) > WINDOW_SECONDS:
            raise WebhookRejected(401, "stale request: timestamp is more than 5 minutes from now")
        expected = sign(self._secret, timestamp, body).encode("utf-8")
        # Compared as bytes: compare_digest raises TypeError on non-ASCII str.
        if not hmac.compare_digest(expected, signature.strip().encode("utf-8")):
            raise WebhookRejected(401, "invalid signature")

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """``{"user", "conversation", "text", "callback_url"?, "id"?}`` as one ``InboundMessage``."""
        data = json_object(body)
        text = data.get("text")
        if not isinstance(text, str):
            raise WebhookRejected(400, "'text' must be a string")
        reply_to: dict[str, str] = {}
        if data.get("callback_url") is not None:
            callback = required_str(data, "callback_url", "body")
            if not callback.startswith(("https://", "http://")):
                raise WebhookRejected(400, "'callback_url' must be an http(s) URL")
            reply_to["callback_url"] = callback
        if data.get("id") is not None:
            event_id = required_str(data, "id", "body")
        else:
            # No id: the signed bytes identify the delivery, so a replayed request is a duplicate.
            timestamp = header(headers, TIMESTAMP_HEADER) or ""
            event_id = hashlib.sha256(_base_string(timestamp, body)).hexdigest()
        return [
            InboundMessage(
                channel=self.name,
                tenant="",
                conversation=required_str(data, "conversation", "body"),
                user=required_str(data, "user", "body"),
                text=text.strip(),
                event_id=event_id,
                reply_to=reply_to,
            )
        ]

    @staticmethod
    def is_synchronous(message: InboundMessage) -> bool:
        """Answer in the response unless the client asked for a callback."""
        return "callback_url" not in message.reply_to

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """POST the reply to ``callback_url``; nothing when it was answered in the response."""
        callback = message.reply_to.get("callback_url")
        if not callback:
            return []
        body = {
            "conversation": message.conversation,
            "user": message.user,
            "text": reply.text,
            "citations": self._citations(reply),
        }
        return [OutboundRequest("POST", str(callback), {"Content-Type": "application/json"}, body)]

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """200 with the reply; 202 when it will go to the callback (or there is no message: a
        duplicate, an ack); 200 with empty text when a synchronous reply did not come in time."""
        if message is None or not self.is_synchronous(message):
            return WebhookResponse(202, _json({"status": "accepted"}))
        if reply is None:
            return WebhookResponse(200, _json({"text": "", "citations": []}))
        return WebhookResponse(200, _json({"text": reply.text, "citations": self._citations(reply)}))

    @staticmethod
    def _citations(reply: BotReply) -> list[dict[str, str]]:
        return [{"doc": c.doc, "section": c.section, "link": c.link} for c in reply.citations]
