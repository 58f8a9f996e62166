"""WeCom (企业微信) self-built app callback.

Both the URL handshake (GET ``echostr``) and messages (POST XML with an ``Encrypt`` field) are signed
with ``msg_signature = hex(SHA1("".join(sorted([token, timestamp, nonce, encrypt]))))`` and encrypted
with AES-256-CBC (key = base64(EncodingAESKey + "="), IV = key[:16], PKCS#7 to 32 bytes); the plaintext
is ``random(16) | len (4, big-endian) | msg | receive_id`` and the receive id must be our CorpID.

The signature is checked before anything is decrypted. WeCom documents no timestamp window and
retries up to 3 times, so none is applied; the transport deduplicates on ``MsgId``. Replies are not
passive: the webhook answers an empty 200 and the reply is sent with ``message/send`` (markdown).
XML is parsed with ``defusedxml`` so a DTD or entity in a body is refused rather than expanded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree as SafeET
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

__all__ = ["WeComAdapter", "wecom_signature"]

BLOCK = 32  # WeCom pads to 32 bytes, not to the AES block size
MARKDOWN_LIMIT = 2048  # bytes of UTF-8: message/send rejects longer markdown content


def wecom_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """``msg_signature``: SHA-1 of the four values sorted and concatenated."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def _xml(data: bytes | str, what: str) -> ET.Element:
    """Parse XML, refusing DTDs and entities (billion laughs, external entities)."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, defusedxml.DefusedXmlException, ValueError) as exc:
        raise WebhookRejected(400, f"{what} is not acceptable XML: {exc}") from None


def _field(root: ET.Element, tag: str, what: str, required: bool = True) -> str:
    node = root.find(tag)
    value = node.text if node is not None and node.text is not None else ""
    if required and not value:
        raise WebhookRejected(400, f"{what} has no {tag}")
    return value


class WeComAdapter(TokenHolder):
    """WeCom app-callback adapter; see the module docstring for the protocol and choices."""

    name = "wecom"
    ack_seconds = 5.0
    synchronous = False

    def __init__(
        self,
        corp_id: str,
        token: SecretStr,
        encoding_aes_key: SecretStr,
        agent_id: str,
        corp_secret: SecretStr,
        api_base: str = "https://qyapi.weixin.qq.com",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.corp_id = corp_id
        self._token = token
        self.agent_id = agent_id
        self._corp_secret = corp_secret
        self.api_base = api_base.rstrip("/")
        self._clock = clock
        self._tokens = AccessTokenCache()
        try:
            key = base64.b64decode(encoding_aes_key.get_secret_value() + "=", validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:  # fail at start-up, not on the first message
            raise ValueError("WeCom EncodingAESKey must be 43 base64 characters (32 bytes)")
        self._key = key

    # --- crypto --------------------------------------------------------------------------------

    def _check_signature(self, query: Mapping[str, str], encrypt: str) -> None:
        signature = query.get("msg_signature")
        timestamp = query.get("timestamp")
        nonce = query.get("nonce")
        if not signature or timestamp is None or nonce is None:
            raise WebhookRejected(401, "missing msg_signature, timestamp or nonce")
        expected = wecom_signature(self._token.get_secret_value(), timestamp, nonce, encrypt)
        if not safe_equals(expected, signature):
            raise WebhookRejected(401, "msg_signature does not match")

    def decrypt(self, encrypt: str) -> str:
        """The message inside ``encrypt``: 400 when malformed, 403 when addressed to another corp."""
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise WebhookRejected(400, "Encrypt is not valid base64") from None
        try:
            plain = pkcs7_unpad(aes_cbc_decrypt(self._key, self._key[:16], raw), BLOCK)
        except PaddingError:
            raise WebhookRejected(
                400, "Encrypt does not decrypt with this EncodingAESKey (bad padding)"
            ) from None
        except ValueError as exc:
            raise WebhookRejected(400, f"Encrypt is not valid ciphertext: {exc}") from None
        if len(plain) < 20:
            raise WebhookRejected(400, "decrypted Encrypt is too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WebhookRejected(400, "decrypted Encrypt has a bad length field")
        receive_id = plain[20 + length :]
        if not hmac.compare_digest(self.corp_id.encode(), receive_id):
            raise WebhookRejected(403, "Encrypt is addressed to another CorpID")
        try:
            return plain[20 : 20 + length].decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRejected(400, "decrypted message is not UTF-8") from None

    def encrypt(self, plaintext: str, nonce: str, timestamp: str) -> tuple[str, str]:
        """``(Encrypt, msg_signature)`` for ``plaintext``, as WeCom would send it (tests, passive replies)."""
        msg = plaintext.encode("utf-8")
        data = os.urandom(16) + struct.pack(">I", len(msg)) + msg + self.corp_id.encode()
        encrypted = aes_cbc_encrypt(self._key, self._key[:16], pkcs7_pad(data, BLOCK))
        encrypt = base64.b64encode(encrypted).decode("ascii")
        return encrypt, wecom_signature(self._token.get_secret_value(), timestamp, nonce, encrypt)

    def passive_reply(self, plaintext_xml: str, nonce: str, timestamp: str) -> bytes:
        """An encrypted passive-reply envelope (not used by default: replies go through the API)."""
        encrypt, signature = self.encrypt(plaintext_xml, nonce, timestamp)
        return (
            f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{escape(timestamp)}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        ).encode()

    # --- inbound -------------------------------------------------------------------------------

    def _outer_encrypt(self, body: bytes) -> str:
        return _field(_xml(body, "body"), "Encrypt", "body")

    def handshake(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> WebhookResponse | None:
        """The GET URL check: verify, decrypt ``echostr``, answer its plaintext as-is."""
        if "echostr" not in query:
            return None
        # base64 never contains spaces: a space is a "+" that a form-style decoder turned into one.
        echostr = query["echostr"].replace(" ", "+")
        self._check_signature(query, echostr)
        return WebhookResponse(200, self.decrypt(echostr).encode("utf-8"), "text/plain")

    def verify(self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> None:
        """Signature over the body's ``Encrypt`` (401), then its receive id (403)."""
        encrypt = self._outer_encrypt(body)
        self._check_signature(query, encrypt)
        self.decrypt(encrypt)

    def parse(
        self, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
    ) -> list[InboundMessage]:
        """The text message inside the encrypted body (events and media dropped)."""
        inner = _xml(self.decrypt(self._outer_encrypt(body)), "decrypted message")
        if _field(inner, "MsgType", "message", required=False) != "text":
            return []
        text = _field(inner, "Content", "message", required=False).strip()
        if not text:
            return []
        user = _field(inner, "FromUserName", "message")
        return [
            InboundMessage(
                channel=self.name,
                tenant=self.corp_id,
                conversation=user,  # app messages are 1:1 between the user and the app
                user=user,
                text=text,
                event_id=_field(inner, "MsgId", "message"),
                reply_to={"user": user, "agent_id": _field(inner, "AgentID", "message", required=False)},
            )
        ]

    # --- access token --------------------------------------------------------------------------

    def token_request(self) -> OutboundRequest:
        """``GET gettoken``; feed its JSON to ``remember_token``."""
        params = urlencode({"corpid": self.corp_id, "corpsecret": self._corp_secret.get_secret_value()})
        return OutboundRequest(
            method="GET", url=f"{self.api_base}/cgi-bin/gettoken?{params}", headers={}, json=None
        )

    def remember_token(self, response_json: Mapping[str, Any], now: float | None = None) -> str:
        """Cache the token from ``{"errcode": 0, "access_token", "expires_in"}``; TokenError otherwise."""
        token = response_json.get("access_token")
        expires_in = response_json.get("expires_in")
        if (
            response_json.get("errcode", 0) != 0
            or not isinstance(token, str)
            or not isinstance(expires_in, int)
        ):
            raise TokenError(
                f"wecom gettoken refused: errcode={response_json.get('errcode')!r} "
                f"errmsg={response_json.get('errmsg')!r}"
            )
        return self._store_token(token, expires_in, now)

    # --- outbound ------------------------------------------------------------------------------

    def outbound(self, message: InboundMessage, reply: BotReply) -> list[OutboundRequest]:
        """``message/send`` markdown to the user; needs ``cached_token()`` (TokenUnavailable)."""
        token = self._require_token()
        # The API documents agentid as an integer; keep the configured string only if it is not one.
        agentid: int | str = int(self.agent_id) if self.agent_id.isdigit() else self.agent_id
        return [
            OutboundRequest(
                method="POST",
                url=f"{self.api_base}/cgi-bin/message/send?{urlencode({'access_token': token})}",
                headers={"Content-Type": "application/json; charset=utf-8"},
                json={
                    "touser": message.user,
                    "msgtype": "markdown",
                    "agentid": agentid,
                    "markdown": {"content": render_markdown(reply)},
                },
            )
        ]

    def sync_response(self, message: InboundMessage | None, reply: BotReply | None) -> WebhookResponse:
        """An empty 200: the reply is sent later through the API, not passively."""
        return WebhookResponse(200, b"", "text/plain")


def render_markdown(reply: BotReply) -> str:
    """WeCom markdown: the text, then one linked line per citation, cut to fit 2048 UTF-8 bytes.

    The citations are kept whole and the text is shortened instead, since they are what backs it.
    """
    links = "".join(f"\n— [{c.doc} · {c.section}]({c.link})" for c in reply.citations)
    text = reply.text.strip()
    budget = MARKDOWN_LIMIT - len(links.encode())
    if len(text.encode()) > budget:
        text = _cut(text, budget)
    # Only citations longer than the whole limit get here with too much; then cut everything.
    return _cut(text + links, MARKDOWN_LIMIT)


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-8 bytes, ending in "…" when shortened (never a split character)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    cut = max(limit - len("…".encode()), 0)
    return data[:cut].decode("utf-8", errors="ignore") + "…"
