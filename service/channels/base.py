"""What every messenger adapter provides, as plain data and pure functions.

An adapter verifies a webhook (signature over the raw body, timestamp window, token), answers a
platform handshake, parses the payload into ``InboundMessage``s (mentions stripped), and renders a
``BotReply`` as the platform's outbound request (URL, headers, JSON). The transport layer does the
HTTP, the deduplication (by ``event_id`` in the store) and the timing (ack first, work after).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


class WebhookRejected(Exception):
    """The request is not acceptable: wrong signature (401/403), stale timestamp (401), malformed
    body (400). ``status`` is the HTTP status to answer with; ``message`` is safe to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class WebhookResponse:
    """An immediate answer to the webhook request (handshake, ack, or a synchronous reply)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"


@dataclass(frozen=True)
class InboundMessage:
    """One user message from a platform, normalised."""

    channel: str  # "slack", "feishu", "dingtalk", "wecom", "teams", "generic"
    tenant: str  # workspace / team / tenant / corp id ("" when the platform has none)
    conversation: str  # channel / chat / conversation id
    user: str  # the sender's id on the platform
    text: str  # the user's text, @-mentions of the bot removed, stripped
    event_id: str  # the platform's id for this delivery's event (the dedupe key)
    reply_to: Mapping[str, Any] = field(default_factory=dict)  # routing for the reply (thread, webhook, …)

    @property
    def session_key(self) -> str:
        """Sessions are keyed by platform + tenant + conversation + user."""
        return f"{self.channel}:{self.tenant}:{self.conversation}:{self.user}"


@dataclass(frozen=True)
class Citation:
    doc: str
    section: str
    link: str  # the web page's view of the passage


@dataclass(frozen=True)
class BotReply:
    """What the coach says, platform-neutral: a title line, body paragraphs, brief citations."""

    text: str  # the whole reply as plain text (client line, coach note, suggestions …)
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BotReply:
        return cls(data["text"], [Citation(**citation) for citation in data.get("citations", [])])


@dataclass(frozen=True)
class OutboundRequest:
    """An HTTP request to the platform's API, for the transport's httpx client to send."""

    method: str
    url: str
    headers: Mapping[str, str]
    json: Any


class ChannelAdapter(Protocol):
    name: str
    ack_seconds: float  # the platform's acknowledgement limit
    synchronous: bool  # True: the reply goes in the webhook response (Teams, generic without callback)

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """Answer a verification handshake (Slack url_verification, Feishu challenge, WeCom echostr),
        or None when the request is not one. Raises WebhookRejected when it is one but fails checks."""
        ...

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """Raise WebhookRejected unless the request is authentic and fresh."""
        ...

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """The user messages in a verified request (bot messages and other events dropped).
        Raises WebhookRejected(400) on a malformed body."""
        ...

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """The platform API calls that deliver ``reply`` (empty for synchronous channels)."""
        ...

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """The webhook's own response: an ack, or (synchronous channels) the reply itself."""
        ...
