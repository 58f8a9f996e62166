"""Microsoft Teams outgoing webhook: an HMAC-signed Activity in, the reply in the response body.

Teams gives the webhook 5 s and offers no API to answer later, so the adapter is synchronous.
There is no timestamp to check: retried deliveries are dropped by the transport on the activity id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from .base import BotReply, Citation, InboundMessage, OutboundRequest, WebhookRejected, WebhookResponse
from .payload import header, json_object, required_object, required_str

_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def plain_text(text: str) -> str:
    """The user's words from Teams' HTML-ish text: ``<at>Bot</at>`` mentions and tags removed,
    entities decoded. Tags go before unescaping so a user's literal ``&lt;b&gt;`` stays text."""
    text = _MENTION.sub("", text)
    text = _TAG.sub("", _BREAK.sub("\n", text))
    return html.unescape(text).replace("\xa0", " ").strip()


def _markdown_link(citation: Citation) -> str:
    label = f"{citation.doc} · {citation.section}".replace("[", "\\[").replace("]", "\\]")
    # An unencoded ``)`` or space would end the markdown link target early.
    url = citation.link.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({url})"


def render_text(reply: BotReply) -> str:
    """The reply as Teams markdown: the text, then one citation link per line."""
    if not reply.citations:
        return reply.text
    links = "\n".join(f"- {_markdown_link(citation)}" for citation in reply.citations)
    return f"{reply.text}\n\n{links}"


class TeamsAdapter:
    """Teams outgoing webhook. Pure: verifies, parses, and renders the synchronous answer."""

    name = "teams"
    ack_seconds = 5.0
    synchronous = True

    def __init__(self, security_token: SecretStr) -> None:
        # The token Teams shows is base64; the HMAC key is its decoded bytes. A bad token is a
        # configuration error, so it fails at start-up rather than as 401s for every message.
        try:
            self._key = base64.b64decode(security_token.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("Teams security_token is not valid base64") from None
        if not self._key:
            raise ValueError("Teams security_token must not be empty")

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """Outgoing webhooks have no handshake."""
        return None

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """``Authorization: HMAC <base64(HMAC-SHA256(key, raw body))>``, compared in constant time."""
        authorization = header(headers, "authorization")
        if not authorization:
            raise WebhookRejected(401, "missing Authorization header")
        scheme, _, provided = authorization.strip().partition(" ")
        if scheme.lower() != "hmac" or not provided:
            raise WebhookRejected(401, "Authorization must be 'HMAC <signature>'")
        expected = base64.b64encode(hmac.new(self._key, body, hashlib.sha256).digest())
        # Compared as bytes: compare_digest raises TypeError on non-ASCII str.
        if not hmac.compare_digest(expected, provided.strip().encode("utf-8")):
            raise WebhookRejected(401, "invalid Teams signature")

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """The message Activity as an ``InboundMessage``; other activity types carry nothing to answer."""
        activity = json_object(body)
        if activity.get("type", "message") != "message":
            return []
        sender = required_object(activity, "from", "activity")
        user = sender.get("id") or sender.get("aadObjectId")
        if not isinstance(user, str) or not user:
            raise WebhookRejected(400, "activity.from.id must be a non-empty string")
        text = activity.get("text", "")
        if not isinstance(text, str):
            raise WebhookRejected(400, "activity.text must be a string")
        return [
            InboundMessage(
                channel=self.name,
                tenant=self._tenant(activity.get("channelData")),
                conversation=required_str(
                    required_object(activity, "conversation", "activity"), "id", "activity.conversation"
                ),
                user=user,
                text=plain_text(text),
                event_id=required_str(activity, "id", "activity"),
            )
        ]

    @staticmethod
    def _tenant(channel_data: Any) -> str:
        """The AAD tenant when Teams sends it, else the team; "" when neither is there."""
        if not isinstance(channel_data, dict):
            return ""
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"])
        team = channel_data.get("teamsTeamId")
        return team if isinstance(team, str) else ""

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """Nothing to send later: the reply travels in the webhook response."""
        return []

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """``{"type": "message", "text": ...}``; empty text when there is no reply (duplicate, timeout)."""
        text = render_text(reply) if reply is not None else ""
        return WebhookResponse(200, json.dumps({"type": "message", "text": text}).encode())
