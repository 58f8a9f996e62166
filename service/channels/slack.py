"""Slack: Events API (``message`` / ``app_mention``) and slash commands, signed with the v0 scheme.

Slack wants a 2xx within 3 s, so the adapter is asynchronous: the webhook is acknowledged empty and
the reply goes out later through ``chat.postMessage`` (events) or the command's ``response_url``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs

from pydantic import SecretStr
from slack_sdk.signature import Clock, SignatureVerifier

from .base import BotReply, Citation, InboundMessage, OutboundRequest, WebhookRejected, WebhookResponse
from .payload import header, json_object, required_str, utf8

WINDOW_SECONDS = 5 * 60  # Slack's documented replay window
SECTION_LIMIT = 3000  # a section block's text may hold at most 3000 characters
CONTEXT_LIMIT = 10  # a context block holds at most 10 elements
_MESSAGE_EVENTS = {"message", "app_mention"}
# Message subtypes that are still a person typing to us; the rest (edits, deletions, joins, bot
# posts) would make the coach answer something nobody asked.
_USER_SUBTYPES = {None, "thread_broadcast", "file_share"}
_LINK = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")


class _CallableClock(Clock):
    """slack_sdk takes a ``Clock`` object; ours is a plain callable so tests can freeze time."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def _is_json(headers: Mapping[str, str], body: bytes) -> bool:
    """Events arrive as JSON, slash commands as a form; sniff when the content type is absent."""
    content_type = (header(headers, "content-type") or "").lower()
    if "json" in content_type:
        return True
    if "form" in content_type:
        return False
    return body.lstrip().startswith(b"{")


def _escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup: escaped, a reply can't ping ``<!channel>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _readable(text: str) -> str:
    """Slack markup back to what the user saw: links and channels as their labels, entities decoded."""

    def label(match: re.Match[str]) -> str:
        target, shown = match.group("target"), match.group("label")
        if target.startswith("#"):
            return f"#{shown or target[1:]}"
        if target.startswith("!"):  # <!here>, <!subteam^S1|@sales>
            return shown or f"@{target[1:].split('^')[0]}"
        if target.startswith("@"):
            return match.group(0)  # other people's mentions stay: the text may be about them
        return shown or target

    text = _LINK.sub(label, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _chunks(text: str, limit: int) -> Iterator[str]:
    """Split ``text`` into pieces whose *escaped* length fits ``limit``, at line ends when possible."""
    piece = ""
    for line in text.splitlines(keepends=True):
        if len(_escape(piece + line)) <= limit:
            piece += line
            continue
        if piece.strip():
            yield _escape(piece)
        while len(_escape(line)) > limit:  # one line longer than a block: cut it by characters
            cut = limit
            while len(_escape(line[:cut])) > limit:
                cut -= 1
            yield _escape(line[:cut])
            line = line[cut:]
        piece = line
    if piece.strip():
        yield _escape(piece)


def _citation_link(citation: Citation) -> str:
    # ``|`` and ``>`` would end Slack's <url|label> early; percent-encoding keeps the URL meaning.
    url = citation.link.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{url}|{_escape(citation.doc)} · {_escape(citation.section)}>"


def render_blocks(reply: BotReply) -> list[dict[str, Any]]:
    """Block Kit for a reply: the text as mrkdwn sections, then the citations as a context line."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(reply.text, SECTION_LIMIT)
    ]
    links = [_citation_link(citation) for citation in reply.citations]
    if links:
        # More citations than context elements: several share one element, none is lost.
        per = -(-len(links) // CONTEXT_LIMIT)
        elements = [" · ".join(links[i : i + per]) for i in range(0, len(links), per)]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": e} for e in elements]})
    return blocks


class SlackAdapter:
    """Slack Events API and slash commands. Pure: no HTTP here, only requests for the transport."""

    name = "slack"
    ack_seconds = 3.0
    synchronous = False

    def __init__(
        self,
        signing_secret: SecretStr,
        bot_token: SecretStr,
        bot_user_id: str | None = None,
        api_base: str = "https://slack.com/api",
        clock: Callable[[], float] = time.time,
    ) -> None:
        # SignatureVerifier refuses an empty secret with ValueError: a misconfiguration fails at start.
        self._verifier = SignatureVerifier(signing_secret.get_secret_value(), clock=_CallableClock(clock))
        self._bot_token = bot_token
        self._bot_user_id = bot_user_id
        self._api_base = api_base.rstrip("/")
        self._clock = clock

    # --- checks -------------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """v0 signature over the raw body and a 5-minute timestamp window, via slack_sdk."""
        timestamp = header(headers, "x-slack-request-timestamp")
        signature = header(headers, "x-slack-signature")
        if not timestamp or not signature:
            raise WebhookRejected(401, "missing X-Slack-Request-Timestamp or X-Slack-Signature")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise WebhookRejected(401, "invalid X-Slack-Request-Timestamp") from None
        # Checked here as well as in the SDK so a replay gets its own message, not "bad signature".
        if abs(self._clock() - sent_at) > WINDOW_SECONDS:
            raise WebhookRejected(401, "stale request: timestamp is more than 5 minutes from now")
        utf8(body)  # the SDK decodes the body as UTF-8 and would raise on anything else
        # compare_digest raises TypeError on non-ASCII str; such a header can't be a valid signature.
        if not signature.isascii() or not self._verifier.is_valid(body, timestamp, signature):
            raise WebhookRejected(401, "invalid Slack signature")

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """Answer ``url_verification`` with its challenge, but only for a correctly signed request."""
        if not _is_json(headers, body):
            return None
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None  # not a handshake; parse() reports the malformed body
        if not isinstance(data, dict) or data.get("type") != "url_verification":
            return None
        self.verify(headers, query, body)
        challenge = data.get("challenge")
        if not isinstance(challenge, str):
            raise WebhookRejected(400, "url_verification.challenge must be a string")
        return WebhookResponse(200, json.dumps({"challenge": challenge}).encode())

    # --- parsing ------------------------------------------------------------------------------

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """The user message in an event callback or a slash command; everything else is dropped."""
        if _is_json(headers, body):
            return self._parse_event(json_object(body))
        return self._parse_command(body)

    def _parse_event(self, envelope: dict[str, Any]) -> list[InboundMessage]:
        if envelope.get("type") != "event_callback":
            return []  # url_verification (answered by handshake), app_rate_limited, …
        event = envelope.get("event")
        if not isinstance(event, dict):
            raise WebhookRejected(400, "event_callback.event must be an object")
        if event.get("type") not in _MESSAGE_EVENTS:
            return []
        bots = self._bot_ids(envelope)
        if event.get("bot_id") or event.get("subtype") not in _USER_SUBTYPES or event.get("user") in bots:
            return []  # bots, our own posts and edits: answering them would loop or repeat
        text = event.get("text", "")
        if not isinstance(text, str):
            raise WebhookRejected(400, "event.text must be a string")
        ts = required_str(event, "ts", "event")
        thread_ts = event.get("thread_ts")
        thread = thread_ts if isinstance(thread_ts, str) and thread_ts else ts  # a new thread on the message
        channel = required_str(event, "channel", "event")
        return [
            InboundMessage(
                channel=self.name,
                tenant=required_str(envelope, "team_id", "body"),
                conversation=channel,
                user=required_str(event, "user", "event"),
                text=self._strip_mentions(text, bots),
                event_id=required_str(envelope, "event_id", "body"),
                reply_to={"channel": channel, "thread_ts": thread},
            )
        ]

    def _parse_command(self, body: bytes) -> list[InboundMessage]:
        try:
            form = {k: v[0] for k, v in parse_qs(utf8(body), keep_blank_values=True).items()}
        except ValueError:
            raise WebhookRejected(400, "body is not a valid form") from None
        if "command" not in form:
            if "payload" in form or "ssl_check" in form:
                return []  # interactivity payloads and Slack's certificate check: nothing to answer
            raise WebhookRejected(400, "form body is not a slash command (no 'command' field)")
        response_url = required_str(form, "response_url", "command")
        if not response_url.startswith(("https://", "http://")):
            raise WebhookRejected(400, "command.response_url must be an http(s) URL")
        return [
            InboundMessage(
                channel=self.name,
                tenant=required_str(form, "team_id", "command"),
                conversation=required_str(form, "channel_id", "command"),
                user=required_str(form, "user_id", "command"),
                text=self._strip_mentions(form.get("text", ""), self._bot_ids({})),
                event_id=required_str(form, "trigger_id", "command"),
                reply_to={"response_url": response_url},
            )
        ]

    def _bot_ids(self, envelope: Mapping[str, Any]) -> set[str]:
        """Our bot's user ids: the configured one, plus the bot installations Slack lists per event."""
        ids = {self._bot_user_id} if self._bot_user_id else set()
        authorizations = envelope.get("authorizations")
        if isinstance(authorizations, list):
            ids |= {
                a["user_id"]
                for a in authorizations
                if isinstance(a, dict) and a.get("is_bot") and isinstance(a.get("user_id"), str)
            }
        return ids

    @staticmethod
    def _strip_mentions(text: str, bots: set[str]) -> str:
        for bot in bots:
            text = re.sub(rf"<@{re.escape(bot)}(?:\|[^>]*)?>\s*", "", text)
        return _readable(text).strip()

    # --- replies ------------------------------------------------------------------------------

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """``chat.postMessage`` in the event's thread, or an ephemeral answer to a slash command."""
        blocks = render_blocks(reply)
        text = _escape(reply.text)
        # Without the charset Slack answers with a ``missing_charset`` warning.
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        response_url = message.reply_to.get("response_url")
        if response_url:
            body = {"response_type": "ephemeral", "text": text, "blocks": blocks}
            return [OutboundRequest("POST", str(response_url), json_type, body)]
        headers = {**json_type, "Authorization": f"Bearer {self._bot_token.get_secret_value()}"}
        body = {
            "channel": message.reply_to["channel"],
            "thread_ts": message.reply_to["thread_ts"],
            "text": text,
            "blocks": blocks,
        }
        return [OutboundRequest("POST", f"{self._api_base}/chat.postMessage", headers, body)]

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """An empty 200: the reply is sent afterwards (an empty ack shows nothing for slash commands)."""
        return WebhookResponse(200, b"", "text/plain")
