"""DingTalk enterprise robot, HTTP mode.

No handshake. Every callback carries headers ``timestamp`` (ms) and
``sign = base64(HMAC-SHA256(app_secret, timestamp + "\\n" + app_secret))``; the body is not signed,
so a captured header pair would carry any body for the hour of the timestamp window. Hence: the
transport binds each pair to the first ``msgId`` it came with (``replay_key``; the store keeps the
binding for the window, across workers and restarts) and refuses the pair with another message;
and a reply goes only to a ``sessionWebhook`` on an allowed origin (DingTalk's API hosts by
default), never to a host named by an unsigned body. Replies go as markdown, and only while the
webhook is valid: an expired one raises ``WebhookExpired``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import SecretStr

from .base import BotReply, InboundMessage, OutboundRequest, WebhookRejected, WebhookResponse
from .crypto import safe_equals
from .payload import header, json_object, required_str

__all__ = ["DingTalkAdapter", "WebhookExpired", "dingtalk_sign"]

TIMESTAMP_WINDOW_MS = 3600 * 1000  # DingTalk: reject timestamps more than 1 hour off
# A reply is built a moment before the transport sends it: treat a webhook this close to its end as
# expired rather than send a request DingTalk will refuse.
EXPIRY_MARGIN_MS = 5000
TITLE_CHARS = 30  # the title is only the notification / conversation-list preview


DEFAULT_REPLY_HOSTS = ("https://oapi.dingtalk.com", "https://api.dingtalk.com")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, host lower-cased, default ports filled in."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]


class WebhookExpired(Exception):
    """The message's ``sessionWebhook`` has expired: the reply cannot be delivered (count it)."""

    def __init__(self, message_event_id: str, expires_ms: int, now_ms: int) -> None:
        super().__init__(
            f"dingtalk sessionWebhook for {message_event_id} expired at {expires_ms} ms (now {now_ms} ms)"
        )
        self.event_id = message_event_id
        self.expires_ms = expires_ms
        self.now_ms = now_ms


def dingtalk_sign(app_secret: str, timestamp: str) -> str:
    """The ``sign`` header for ``timestamp`` (ms, as the exact header string)."""
    digest = hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkAdapter:
    """DingTalk robot adapter: header signature + timestamp window, sessionWebhook replies."""

    name = "dingtalk"
    ack_seconds = 3.0
    synchronous = False

    replay_window = timedelta(milliseconds=TIMESTAMP_WINDOW_MS)

    def __init__(
        self,
        app_secret: SecretStr,
        reply_hosts: Iterable[str] = DEFAULT_REPLY_HOSTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app_secret = app_secret
        self._origins = {_origin(host if "://" in host else f"https://{host}") for host in reply_hosts}
        self._clock = clock

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """DingTalk has no handshake."""
        return None

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """Check ``sign`` (constant time) and that ``timestamp`` is within an hour of now."""
        timestamp = header(headers, "timestamp")
        sign = header(headers, "sign")
        if not timestamp or not sign:
            raise WebhookRejected(401, "missing timestamp or sign header")
        expected = dingtalk_sign(self._app_secret.get_secret_value(), timestamp)
        if not safe_equals(expected, sign):
            raise WebhookRejected(401, "sign does not match")
        try:
            sent_ms = int(timestamp)
        except ValueError:
            raise WebhookRejected(401, "timestamp is not milliseconds") from None
        if abs(self._now_ms() - sent_ms) > TIMESTAMP_WINDOW_MS:
            raise WebhookRejected(401, "timestamp is more than 1 hour off")

    def replay_key(self, headers: Mapping[str, str]) -> str | None:
        """What a captured request would reuse: the signed ``(timestamp, sign)`` pair."""
        timestamp, sign = header(headers, "timestamp"), header(headers, "sign")
        return f"{timestamp}\n{sign}" if timestamp and sign else None

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """The text message in the callback (other message types and empty texts dropped); 400 when
        its ``sessionWebhook`` is not on an allowed origin."""
        data = json_object(body)
        if data.get("msgtype") != "text":
            return []
        content = data.get("text")
        if not isinstance(content, dict) or not isinstance(content.get("content"), str):
            raise WebhookRejected(400, "missing text.content")
        # In groups DingTalk has already removed the @robot mention; what is left may start with spaces.
        text = content["content"].strip()
        if not text:
            return []
        expires_ms = data.get("sessionWebhookExpiredTime")
        if not isinstance(expires_ms, int) or isinstance(expires_ms, bool):
            raise WebhookRejected(400, "missing sessionWebhookExpiredTime")
        user = data.get("senderStaffId") or data.get("senderId")
        if not isinstance(user, str):
            raise WebhookRejected(400, "missing senderStaffId / senderId")
        tenant = data.get("chatbotCorpId")
        return [
            InboundMessage(
                channel=self.name,
                tenant=tenant if isinstance(tenant, str) else "",
                conversation=required_str(data, "conversationId", "body"),
                user=user,
                text=text,
                event_id=required_str(data, "msgId", "body"),
                reply_to={
                    "session_webhook": self._allowed_webhook(required_str(data, "sessionWebhook", "body")),
                    "expires_ms": expires_ms,
                },
            )
        ]

    def _allowed_webhook(self, url: str) -> str:
        try:
            parts = urlsplit(url)
            origin = _origin(url)
        except ValueError:
            origin, parts = None, None
        if origin is None or parts is None or parts.username is not None or origin not in self._origins:
            raise WebhookRejected(400, "sessionWebhook is not on an allowed DingTalk host")
        return url

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """A markdown POST to the sessionWebhook; raises ``WebhookExpired`` once it has expired."""
        webhook = message.reply_to.get("session_webhook")
        expires_ms = message.reply_to.get("expires_ms")
        if not isinstance(webhook, str) or not isinstance(expires_ms, int):
            raise ValueError("dingtalk: the message has no reply_to.session_webhook / expires_ms")
        now_ms = self._now_ms()
        if now_ms + EXPIRY_MARGIN_MS >= expires_ms:
            raise WebhookExpired(message.event_id, expires_ms, now_ms)
        return [
            OutboundRequest(
                method="POST",
                url=webhook,
                headers={"Content-Type": "application/json; charset=utf-8"},
                json={"msgtype": "markdown", "markdown": render_markdown(reply)},
            )
        ]

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """An empty 200: a JSON body here would be taken as a synchronous reply message."""
        return WebhookResponse(200, b"", "text/plain")


def render_markdown(reply: BotReply) -> dict[str, str]:
    """``{"title", "text"}``: the first line as the preview title; lines as paragraphs, citations linked.

    Lines are separated by blank lines because DingTalk's markdown renderer does not reliably break
    on a single newline.
    """
    lines = [line.strip() for line in reply.text.strip().split("\n") if line.strip()]
    lines += [f"— [{c.doc} · {c.section}]({c.link})" for c in reply.citations]
    first = lines[0] if lines else ""
    title = first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"
    return {"title": title, "text": "\n\n".join(lines)}
