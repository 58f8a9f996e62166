"""DingTalk adapter: header signing, timestamp window, parsing, sessionWebhook replies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, InboundMessage, WebhookRejected
from service.channels.dingtalk import DingTalkAdapter, WebhookExpired, dingtalk_sign

NOW = 1_700_000_000.0
SECRET = "ding-secret"
WEBHOOK = "http://127.0.0.1:9999/robot/sendBySession?session=abc"


def adapter(now: float = NOW, reply_hosts: list[str] | None = None) -> DingTalkAdapter:
    hosts = reply_hosts if reply_hosts is not None else ["http://127.0.0.1:9999"]
    return DingTalkAdapter(app_secret=SecretStr(SECRET), reply_hosts=hosts, clock=lambda: now)


def headers(timestamp_ms: int = int(NOW * 1000), secret: str = SECRET) -> dict[str, str]:
    return {"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, str(timestamp_ms))}


def payload(**overrides: object) -> bytes:
    data = {
        "msgtype": "text",
        "text": {"content": "  how do I handle a price objection? "},
        "msgId": "msg-1",
        "createAt": 1699999999000,
        "conversationType": "2",
        "conversationId": "cid-1",
        "chatbotCorpId": "corp-1",
        "senderId": "$:LWCP_v1:$abc",
        "senderStaffId": "staff-7",
        "senderNick": "Li",
        "isInAtList": True,
        "robotCode": "ding-robot",
        "sessionWebhook": WEBHOOK,
        "sessionWebhookExpiredTime": int(NOW * 1000) + 90 * 60 * 1000,
    }
    data.update(overrides)
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


def test_sign_matches_the_documented_recipe() -> None:
    ts = "1700000000000"
    digest = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert dingtalk_sign(SECRET, ts) == base64.b64encode(digest).decode()


def test_signing_round_trip() -> None:
    adapter().verify(headers(), {}, payload())
    adapter().verify(headers(int(NOW * 1000) - 59 * 60 * 1000), {}, payload())  # within the hour
    adapter().verify({"Timestamp": headers()["timestamp"], "Sign": headers()["sign"]}, {}, payload())


@pytest.mark.parametrize("offset_ms", [-2 * 3600 * 1000, 2 * 3600 * 1000])
def test_stale_timestamp_is_401(offset_ms: int) -> None:
    with pytest.raises(WebhookRejected) as err:
        adapter().verify(headers(int(NOW * 1000) + offset_ms), {}, payload())
    assert err.value.status == 401


def test_forged_is_401() -> None:
    forged = headers(secret="guessed")
    tampered = {**headers(), "timestamp": str(int(NOW * 1000) + 1)}
    for h in (forged, tampered, {}, {"timestamp": "abc", "sign": dingtalk_sign(SECRET, "abc")}):
        with pytest.raises(WebhookRejected) as err:
            adapter().verify(h, {}, payload())
        assert err.value.status == 401


def test_parse() -> None:
    [message] = adapter().parse(headers(), {}, payload())
    assert message == InboundMessage(
        channel="dingtalk",
        tenant="corp-1",
        conversation="cid-1",
        user="staff-7",
        text="how do I handle a price objection?",
        event_id="msg-1",
        reply_to={"session_webhook": WEBHOOK, "expires_ms": int(NOW * 1000) + 90 * 60 * 1000},
    )


def test_parse_falls_back_to_sender_id_and_empty_tenant() -> None:
    [message] = adapter().parse(headers(), {}, payload(senderStaffId=None, chatbotCorpId=None))
    assert (message.user, message.tenant) == ("$:LWCP_v1:$abc", "")


def test_parse_drops_other_types_and_empty_text() -> None:
    assert adapter().parse(headers(), {}, payload(msgtype="picture")) == []
    assert adapter().parse(headers(), {}, payload(text={"content": "   "})) == []


def test_parse_malformed_is_400() -> None:
    for body in (
        b"{oops",
        b"[]",
        b"\xff",
        payload(msgId=None),
        payload(text="hi"),
        payload(sessionWebhookExpiredTime="x"),
    ):
        with pytest.raises(WebhookRejected) as err:
            adapter().parse(headers(), {}, body)
        assert err.value.status == 400


def reply() -> BotReply:
    return BotReply(
        text="Acknowledge the concern.\nThen reframe on value.",
        citations=[Citation(doc="FABE Guide", section="Benefit", link="https://coach.example/d/fabe#b")],
    )


def test_outbound_request() -> None:
    [message] = adapter().parse(headers(), {}, payload())
    [request] = adapter().outbound(message, reply())
    assert request.method == "POST"
    assert request.url == WEBHOOK
    assert "Authorization" not in request.headers
    assert request.json == {
        "msgtype": "markdown",
        "markdown": {
            "title": "Acknowledge the concern.",
            "text": "Acknowledge the concern.\n\nThen reframe on value.\n\n— [FABE Guide · Benefit](https://coach.example/d/fabe#b)",
        },
    }


def test_long_title_is_shortened() -> None:
    [message] = adapter().parse(headers(), {}, payload())
    [request] = adapter().outbound(message, BotReply(text="x" * 100))
    assert request.json["markdown"]["title"] == "x" * 29 + "…"


def test_expired_session_webhook_yields_no_request() -> None:
    [message] = adapter().parse(headers(), {}, payload())
    later = adapter(now=NOW + 91 * 60)
    with pytest.raises(WebhookExpired) as err:
        later.outbound(message, reply())
    assert err.value.event_id == "msg-1"
    assert "expired" in str(err.value)


def test_sync_response_is_empty_ack() -> None:
    response = adapter().sync_response(None, None)
    assert (response.status, response.body) == (200, b"")


@pytest.mark.parametrize(
    "webhook",
    [
        "http://127.0.0.1:9999/robot/sendBySession?session=abc",  # not a DingTalk host
        "https://evil.example/robot/sendBySession",
        "https://oapi.dingtalk.com.evil.example/robot/send",
        "http://oapi.dingtalk.com/robot/send",  # DingTalk, but not over TLS
        "https://oapi.dingtalk.com:8443/robot/send",
        "https://me@oapi.dingtalk.com/robot/send",
        "ftp://oapi.dingtalk.com/robot/send",
        "not a url",
    ],
)
def test_a_session_webhook_off_dingtalks_hosts_is_refused(webhook: str) -> None:
    default = DingTalkAdapter(app_secret=SecretStr(SECRET), clock=lambda: NOW)
    with pytest.raises(WebhookRejected) as err:
        default.parse(headers(), {}, payload(sessionWebhook=webhook))
    assert err.value.status == 400 and "sessionWebhook" in err.value.message


@pytest.mark.parametrize(
    "webhook",
    ["https://oapi.dingtalk.com/robot/sendBySession?session=x", "https://API.dingtalk.com:443/v1.0/robot/x"],
)
def test_dingtalks_own_hosts_are_the_default(webhook: str) -> None:
    default = DingTalkAdapter(app_secret=SecretStr(SECRET), clock=lambda: NOW)
    [message] = default.parse(headers(), {}, payload(sessionWebhook=webhook))
    assert message.reply_to["session_webhook"] == webhook


def test_the_replay_key_is_the_signed_header_pair() -> None:
    one, other = headers(), headers(int(NOW * 1000) + 1)
    assert adapter().replay_key(one) == adapter().replay_key({k.title(): v for k, v in one.items()})
    assert adapter().replay_key(one) != adapter().replay_key(other)
