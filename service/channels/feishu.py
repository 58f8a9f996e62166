"""Feishu / Lark bot: event subscription 2.0 over HTTP (``im.message.receive_v1``).

Request flow (see ``/work/shared/PROTOCOLS.md``): the body may be ``{"encrypt": ...}`` (AES-256-CBC,
key = SHA-256 of the Encrypt Key, IV = the first 16 bytes). Events are signed, when an Encrypt Key
is set, with ``hex(SHA256(timestamp + nonce + encrypt_key + raw_body))`` and always carry the
Verification Token in ``header.token``. With an Encrypt Key the signature is checked before the
body is decrypted; only the ``url_verification`` handshake, which Feishu sends without ``X-Lark-*``
headers, is decrypted unsigned (its token is checked), and any other unsigned body is a 401.

Timestamp window: off by default (``timestamp_window=None``). Feishu retries an event up to 6 hours
later and it is not documented whether a retry is re-signed with a fresh timestamp, so a 5-minute
window could drop legitimate retries; replays of a captured request are already harmless because the
transport deduplicates on ``header.event_id``. Pass ``timestamp_window=300`` to enforce one anyway.

Reply: ``POST /open-apis/im/v1/messages/{message_id}/reply`` as ``msg_type="post"`` (rich text):
each line of the reply is a paragraph, each citation a paragraph with an ``a`` link, which every
Feishu client renders (a markdown card would need a card schema for the same result). The ``uuid`` is
derived from the event id so a retried delivery cannot post the answer twice (Feishu keeps it 1 hour).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from .base import BotReply, InboundMessage, OutboundRequest, WebhookRejected, WebhookResponse
from .crypto import (
    AccessTokenCache,
    PaddingError,
    TokenError,
    TokenHolder,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    pkcs7_pad,
    pkcs7_unpad,
    safe_equals,
)
from .payload import header, json_object, required_object, required_str

__all__ = ["FeishuAdapter", "feishu_decrypt", "feishu_encrypt"]

# Mention placeholders in a text message's content: "@_user_1", "@_user_2", … and "@_all".
_MENTION = re.compile(r"@_(?:user_\d+|all)\b")
_JSON = "application/json; charset=utf-8"
_SIGNATURE_HEADERS = {"x-lark-request-timestamp", "x-lark-request-nonce", "x-lark-signature"}


def _aes_key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode()).digest()


def feishu_decrypt(encrypt_key: str, ciphertext: str) -> str:
    """Decrypt an ``encrypt`` field; WebhookRejected(400) when it is not valid ciphertext."""
    try:
        raw = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRejected(400, "encrypt is not valid base64") from None
    if len(raw) < 32:  # an IV and at least one block
        raise WebhookRejected(400, "encrypt is too short")
    try:
        padded = aes_cbc_decrypt(_aes_key(encrypt_key), raw[:16], raw[16:])
        return pkcs7_unpad(padded, 16).decode("utf-8")
    except PaddingError:
        raise WebhookRejected(400, "encrypt does not decrypt with this Encrypt Key (bad padding)") from None
    except UnicodeDecodeError:
        raise WebhookRejected(400, "decrypted event is not UTF-8") from None
    except ValueError as exc:
        raise WebhookRejected(400, f"encrypt is not valid ciphertext: {exc}") from None


def feishu_encrypt(encrypt_key: str, plaintext: str, iv: bytes | None = None) -> str:
    """The inverse of ``feishu_decrypt`` (for tests and local tooling): base64(IV | ciphertext)."""
    iv = os.urandom(16) if iv is None else iv
    data = aes_cbc_encrypt(_aes_key(encrypt_key), iv, pkcs7_pad(plaintext.encode("utf-8"), 16))
    return base64.b64encode(iv + data).decode("ascii")


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """``X-Lark-Signature``: plain SHA-256 (not HMAC) of timestamp + nonce + key + raw body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


class FeishuAdapter(TokenHolder):
    """Feishu / Lark event-subscription adapter; see the module docstring for the choices made."""

    name = "feishu"
    ack_seconds = 3.0
    synchronous = False

    def __init__(
        self,
        app_id: str,
        app_secret: SecretStr,
        verification_token: SecretStr,
        encrypt_key: SecretStr | None = None,
        api_base: str = "https://open.feishu.cn",
        clock: Callable[[], float] = time.time,
        timestamp_window: float | None = None,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self._verification_token = verification_token
        # An empty Encrypt Key in settings means "not configured", as in the Feishu console.
        self._encrypt_key = encrypt_key.get_secret_value() if encrypt_key is not None else ""
        self.api_base = api_base.rstrip("/")
        self._clock = clock
        self._window = timestamp_window
        self._tokens = AccessTokenCache()

    # --- inbound -------------------------------------------------------------------------------

    def _envelope(self, body: bytes) -> Mapping[str, Any]:
        """The JSON body, decrypted when it is ``{"encrypt": ...}``."""
        data = json_object(body, "body")
        if "encrypt" in data:
            if not self._encrypt_key:
                raise WebhookRejected(400, "encrypted event but no Encrypt Key is configured")
            ciphertext = data["encrypt"]
            if not isinstance(ciphertext, str):
                raise WebhookRejected(400, "encrypt is not a string")
            data = json_object(feishu_decrypt(self._encrypt_key, ciphertext).encode(), "decrypted event")
        return data

    def _check_token(self, token: object) -> None:
        expected = self._verification_token.get_secret_value()
        if not isinstance(token, str) or not safe_equals(expected, token):
            raise WebhookRejected(403, "verification token does not match")

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """Answer ``url_verification`` (plain or encrypted) after checking its token.

        With an Encrypt Key the signature comes first: a signed request is checked before its body
        is read; an unsigned one can only be the challenge (Feishu sends it without ``X-Lark-*``
        headers), so it is decrypted for that alone and anything else is refused with 401."""
        if self._encrypt_key and _SIGNATURE_HEADERS & {key.lower() for key in headers}:
            self._check_signature(headers, body)
            envelope = self._envelope(body)
        elif self._encrypt_key:
            try:
                envelope = self._envelope(body)
            except WebhookRejected:
                raise WebhookRejected(401, "unsigned request: missing X-Lark signature headers") from None
            if envelope.get("type") != "url_verification":
                raise WebhookRejected(401, "unsigned event: missing X-Lark signature headers")
        else:
            envelope = self._envelope(body)
        if envelope.get("type") != "url_verification":
            return None
        challenge = envelope.get("challenge")
        if not isinstance(challenge, str):
            raise WebhookRejected(400, "url_verification without a challenge")
        self._check_token(envelope.get("token"))
        return WebhookResponse(200, json.dumps({"challenge": challenge}).encode(), "application/json")

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """Signature over the raw body (when an Encrypt Key is set), then ``header.token``."""
        if self._encrypt_key:
            self._check_signature(headers, body)
        envelope_header = self._envelope(body).get("header")
        self._check_token(envelope_header.get("token") if isinstance(envelope_header, dict) else None)

    def _check_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        assert self._encrypt_key is not None
        timestamp = header(headers, "X-Lark-Request-Timestamp")
        nonce = header(headers, "X-Lark-Request-Nonce")
        signature = header(headers, "X-Lark-Signature")
        if not timestamp or nonce is None or not signature:
            raise WebhookRejected(401, "missing X-Lark signature headers")
        expected = feishu_signature(timestamp, nonce, self._encrypt_key, body)
        if not safe_equals(expected, signature):
            raise WebhookRejected(401, "X-Lark-Signature does not match")
        if self._window is not None:
            try:
                sent = float(timestamp)
            except ValueError:
                raise WebhookRejected(401, "X-Lark-Request-Timestamp is not a number") from None
            if abs(self._clock() - sent) > self._window:
                raise WebhookRejected(401, "X-Lark-Request-Timestamp is outside the allowed window")

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """User text messages from ``im.message.receive_v1``; other events, bots and media dropped."""
        envelope = self._envelope(body)
        head = required_object(envelope, "header", "event")
        if head.get("event_type") != "im.message.receive_v1":
            return []
        event = required_object(envelope, "event", "event")
        sender = required_object(event, "sender", "event")
        message = required_object(event, "message", "event")
        # Drop the bot's own and other apps' messages: answering them could loop between bots.
        if sender.get("sender_type") != "user":
            return []
        if message.get("message_type") != "text":
            return []
        content = json_object(
            required_str(message, "content", "event.message").encode(), "event.message.content"
        )
        if not isinstance(content.get("text"), str):
            raise WebhookRejected(400, "event.message.content has no text")
        text = _strip_mentions(content["text"])
        if not text:  # a bare @mention: nothing to coach
            return []
        message_id = required_str(message, "message_id", "event.message")
        chat_id = required_str(message, "chat_id", "event.message")
        open_id = required_str(
            required_object(sender, "sender_id", "event.sender"), "open_id", "event.sender.sender_id"
        )
        tenant = head.get("tenant_key")
        return [
            InboundMessage(
                channel=self.name,
                tenant=tenant if isinstance(tenant, str) else "",
                conversation=chat_id,
                user=open_id,
                text=text,
                event_id=required_str(head, "event_id", "header"),
                reply_to={"message_id": message_id, "chat_id": chat_id},
            )
        ]

    # --- tenant access token ------------------------------------------------------------------

    def token_request(self) -> OutboundRequest:
        """The request that issues a tenant access token; feed its JSON to ``remember_token``."""
        return OutboundRequest(
            method="POST",
            url=f"{self.api_base}/open-apis/auth/v3/tenant_access_token/internal",
            headers={"Content-Type": _JSON},
            json={"app_id": self.app_id, "app_secret": self._app_secret.get_secret_value()},
        )

    def remember_token(self, response_json: Mapping[str, Any], now: float | None = None) -> str:
        """Cache the token from ``{"code": 0, "tenant_access_token", "expire"}``; TokenError otherwise."""
        token = response_json.get("tenant_access_token")
        expire = response_json.get("expire")
        if response_json.get("code") != 0 or not isinstance(token, str) or not isinstance(expire, int):
            raise TokenError(
                f"feishu tenant_access_token refused: code={response_json.get('code')!r} "
                f"msg={response_json.get('msg')!r}"
            )
        return self._store_token(token, expire, now)

    # --- outbound ------------------------------------------------------------------------------

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """The threaded reply to the user's message; needs ``cached_token()`` (TokenUnavailable)."""
        token = self._require_token()
        message_id = message.reply_to.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise ValueError("feishu: the message has no reply_to.message_id")
        return [
            OutboundRequest(
                method="POST",
                url=f"{self.api_base}/open-apis/im/v1/messages/{quote(message_id, safe='')}/reply",
                headers={"Authorization": f"Bearer {token}", "Content-Type": _JSON},
                json={
                    "msg_type": "post",
                    "content": json.dumps(render_post(reply), ensure_ascii=False),
                    "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"feishu:{message.event_id}")),
                },
            )
        ]

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """Feishu only needs a quick 200; the reply goes through the API."""
        return WebhookResponse(200, b"{}", "application/json")


def render_post(reply: BotReply) -> dict[str, Any]:
    """Feishu ``post`` content: one paragraph per line, then one linked paragraph per citation."""
    paragraphs: list[list[dict[str, str]]] = [
        [{"tag": "text", "text": line}] for line in reply.text.strip().split("\n")
    ]
    for c in reply.citations:
        paragraphs.append(
            [{"tag": "text", "text": "— "}, {"tag": "a", "text": f"{c.doc} · {c.section}", "href": c.link}]
        )
    return {"zh_cn": {"content": paragraphs}}


def _strip_mentions(text: str) -> str:
    """Remove ``@_user_N`` placeholders and tidy the spaces they leave behind."""
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in _MENTION.sub("", text).split("\n"))
    return "\n".join(lines).strip()
