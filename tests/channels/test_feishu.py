"""Feishu adapter: decryption vector, handshake, signature, parsing, token cache, outbound request."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, InboundMessage, WebhookRejected
from service.channels.crypto import TokenError, TokenUnavailable
from service.channels.feishu import FeishuAdapter, feishu_decrypt, feishu_encrypt, feishu_signature

NOW = 1_700_000_000.0
TOKEN = "vtoken-123"
KEY = "encrypt-key-xyz"


def adapter(encrypt_key: str | None = KEY, **kwargs) -> FeishuAdapter:
    return FeishuAdapter(
        app_id="cli_app",
        app_secret=SecretStr("app-secret"),
        verification_token=SecretStr(TOKEN),
        encrypt_key=SecretStr(encrypt_key) if encrypt_key is not None else None,
        api_base="http://127.0.0.1:9999",
        clock=lambda: NOW,
        **kwargs,
    )


def event(
    text: str = "@_user_1 how do I open with SPIN?",
    sender_type: str = "user",
    message_type: str = "text",
    token: str = TOKEN,
    event_type: str = "im.message.receive_v1",
) -> dict:
    return {
        "schema": "2.0",
        "header": {
            "event_id": "ev-1",
            "event_type": event_type,
            "create_time": "1700000000000",
            "token": token,
            "app_id": "cli_app",
            "tenant_key": "tenant-9",
        },
        "event": {
            "sender": {"sender_id": {"open_id": "ou_user", "user_id": "u1"}, "sender_type": sender_type},
            "message": {
                "message_id": "om_msg",
                "chat_id": "oc_chat",
                "chat_type": "group",
                "message_type": message_type,
                "content": json.dumps({"text": text}),
                "mentions": [{"key": "@_user_1", "name": "Coach"}],
            },
        },
    }


def encrypted(payload: dict, key: str = KEY) -> bytes:
    return json.dumps({"encrypt": feishu_encrypt(key, json.dumps(payload))}).encode()


def signed(
    body: bytes, key: str = KEY, timestamp: str = str(int(NOW)), nonce: str = "n0nce"
) -> dict[str, str]:
    return {
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": feishu_signature(timestamp, nonce, key, body),
    }


def test_documented_decryption_vector() -> None:
    assert feishu_decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == "hello world"


def test_encrypt_round_trip() -> None:
    assert feishu_decrypt(KEY, feishu_encrypt(KEY, "你好 world")) == "你好 world"


@pytest.mark.parametrize("ciphertext", ["not base64!!", "aGVsbG8=", feishu_encrypt("other key", "x" * 40)])
def test_bad_ciphertext_is_400(ciphertext: str) -> None:
    with pytest.raises(WebhookRejected) as err:
        feishu_decrypt(KEY, ciphertext)
    assert err.value.status == 400


def test_challenge_plain() -> None:
    body = json.dumps({"type": "url_verification", "challenge": "ch-1", "token": TOKEN}).encode()
    response = adapter(encrypt_key=None).handshake({}, {}, body)
    assert response is not None
    assert response.status == 200
    assert json.loads(response.body) == {"challenge": "ch-1"}


def test_challenge_encrypted() -> None:
    body = encrypted({"type": "url_verification", "challenge": "ch-2", "token": TOKEN})
    response = adapter().handshake({}, {}, body)  # no X-Lark headers on the handshake
    assert response is not None
    assert json.loads(response.body) == {"challenge": "ch-2"}


def test_challenge_wrong_token_is_403() -> None:
    body = json.dumps({"type": "url_verification", "challenge": "ch", "token": "nope"}).encode()
    with pytest.raises(WebhookRejected) as err:
        adapter(encrypt_key=None).handshake({}, {}, body)
    assert err.value.status == 403


def test_handshake_ignores_events() -> None:
    body = encrypted(event())
    assert adapter().handshake(signed(body), {}, body) is None
    assert adapter(encrypt_key=None).handshake({}, {}, json.dumps(event()).encode()) is None


def test_malformed_signed_body_is_400() -> None:
    for body in (b"not json", b"[1]", b'{"encrypt": 5}', b"\xff\xfe", b'{"encrypt": "bm90IGNpcGhlcnRleHQ="}'):
        with pytest.raises(WebhookRejected) as err:
            adapter().handshake(signed(body), {}, body)
            adapter().verify(signed(body), {}, body)
        assert err.value.status == 400


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1]", b'{"encrypt": 5}', b"\xff\xfe", b'{"encrypt": "bm90IGNpcGhlcnRleHQ="}', b"{}"],
)
def test_unsigned_garbage_is_401_when_an_encrypt_key_is_set(body: bytes) -> None:
    """With an Encrypt Key the signature comes first: an unsigned body is only ever looked into
    as far as needed to answer the (unsigned) challenge, and anything else is unauthenticated."""
    with pytest.raises(WebhookRejected) as err:
        adapter().handshake({}, {}, body)
    assert err.value.status == 401


def test_an_unsigned_event_is_401_even_when_it_decrypts() -> None:
    with pytest.raises(WebhookRejected) as err:
        adapter().handshake({}, {}, encrypted(event()))
    assert err.value.status == 401


def test_a_forged_signature_is_401_before_the_body_is_read() -> None:
    body = b'{"encrypt": "garbage"}'
    with pytest.raises(WebhookRejected) as err:
        adapter().handshake(signed(body, key="guessed"), {}, body)
    assert err.value.status == 401


def test_a_signed_challenge_is_answered_too() -> None:
    body = encrypted({"type": "url_verification", "challenge": "ch-3", "token": TOKEN})
    response = adapter().handshake(signed(body), {}, body)
    assert response is not None and json.loads(response.body) == {"challenge": "ch-3"}


def test_malformed_plain_body_is_400_without_an_encrypt_key() -> None:
    for body in (b"not json", b"[1]", b"\xff\xfe"):
        with pytest.raises(WebhookRejected) as err:
            adapter(encrypt_key=None).handshake({}, {}, body)
        assert err.value.status == 400


def test_encrypted_body_without_key_is_400() -> None:
    with pytest.raises(WebhookRejected) as err:
        adapter(encrypt_key=None).parse({}, {}, encrypted(event()))
    assert err.value.status == 400


def test_signature_valid() -> None:
    body = encrypted(event())
    adapter().verify(signed(body), {}, body)
    # header names are case-insensitive
    adapter().verify({k.lower(): v for k, v in signed(body).items()}, {}, body)


def test_signature_forged_is_401() -> None:
    body = encrypted(event())
    for headers in (signed(body, key="guessed"), signed(body + b" "), {}):
        with pytest.raises(WebhookRejected) as err:
            adapter().verify(headers, {}, body)
        assert err.value.status == 401


def test_envelope_token_checked_after_signature() -> None:
    body = encrypted(event(token="stolen"))
    with pytest.raises(WebhookRejected) as err:
        adapter().verify(signed(body), {}, body)
    assert err.value.status == 403


def test_token_checked_without_encrypt_key() -> None:
    adapter(encrypt_key=None).verify({}, {}, json.dumps(event()).encode())
    with pytest.raises(WebhookRejected) as err:
        adapter(encrypt_key=None).verify({}, {}, json.dumps(event(token="x")).encode())
    assert err.value.status == 403


def test_optional_timestamp_window() -> None:
    body = encrypted(event())
    stale = signed(body, timestamp=str(int(NOW) - 3600))
    adapter().verify(stale, {}, body)  # default: no window (retries may come hours later)
    with pytest.raises(WebhookRejected) as err:
        adapter(timestamp_window=300).verify(stale, {}, body)
    assert err.value.status == 401
    adapter(timestamp_window=300).verify(signed(body), {}, body)


def test_parse_strips_mentions() -> None:
    [message] = adapter().parse({}, {}, encrypted(event("@_user_1  how do I open  @_user_2 with SPIN? ")))
    assert message == InboundMessage(
        channel="feishu",
        tenant="tenant-9",
        conversation="oc_chat",
        user="ou_user",
        text="how do I open with SPIN?",
        event_id="ev-1",
        reply_to={"message_id": "om_msg", "chat_id": "oc_chat"},
    )
    assert message.session_key == "feishu:tenant-9:oc_chat:ou_user"


def test_parse_plain_body() -> None:
    [message] = adapter(encrypt_key=None).parse({}, {}, json.dumps(event("hi")).encode())
    assert message.text == "hi"


def test_parse_drops_bots_media_other_events_and_bare_mentions() -> None:
    a = adapter()
    assert a.parse({}, {}, encrypted(event(sender_type="app"))) == []
    assert a.parse({}, {}, encrypted(event(message_type="image"))) == []
    assert a.parse({}, {}, encrypted(event(event_type="im.chat.member.bot.added_v1"))) == []
    assert a.parse({}, {}, encrypted(event("@_user_1 "))) == []


def test_parse_missing_fields_is_400() -> None:
    broken = event()
    del broken["event"]["message"]["chat_id"]
    bad_content = event()
    bad_content["event"]["message"]["content"] = "{not json"
    for payload in (broken, bad_content, {"header": {"event_type": "im.message.receive_v1"}}):
        with pytest.raises(WebhookRejected) as err:
            adapter().parse({}, {}, encrypted(payload))
        assert err.value.status == 400


def test_token_request_and_cache() -> None:
    a = adapter()
    request = a.token_request()
    assert (request.method, request.url) == (
        "POST",
        "http://127.0.0.1:9999/open-apis/auth/v3/tenant_access_token/internal",
    )
    assert request.json == {"app_id": "cli_app", "app_secret": "app-secret"}
    assert a.cached_token() is None
    assert (
        a.remember_token({"code": 0, "msg": "ok", "tenant_access_token": "t-abc", "expire": 7200}, NOW)
        == "t-abc"
    )
    assert a.cached_token(NOW) == "t-abc"  # fresh
    assert a.cached_token(NOW + 7200 - 301) == "t-abc"
    assert a.cached_token(NOW + 7200 - 299) is None  # inside the safety margin: refetch
    assert a.cached_token(NOW + 7200) is None  # expired
    a.remember_token({"code": 0, "tenant_access_token": "t-new", "expire": 7200}, NOW)
    a.forget_token()
    assert a.cached_token(NOW) is None


def test_token_refused() -> None:
    with pytest.raises(TokenError, match="10003"):
        adapter().remember_token({"code": 10003, "msg": "invalid param"})


def test_outbound_reply_request() -> None:
    a = adapter()
    [message] = a.parse({}, {}, encrypted(event()))
    reply = BotReply(
        text="Ask a situation question first.\n\nThen a problem question.",
        citations=[
            Citation(doc="SPIN Handbook", section="2.1 Situation", link="https://coach.example/d/spin#s2-1")
        ],
    )
    with pytest.raises(TokenUnavailable):
        a.outbound(message, reply)
    a.remember_token({"code": 0, "tenant_access_token": "t-abc", "expire": 7200})
    [request] = a.outbound(message, reply)
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9999/open-apis/im/v1/messages/om_msg/reply"
    assert request.headers["Authorization"] == "Bearer t-abc"
    assert request.json == {
        "msg_type": "post",
        "content": json.dumps(
            {
                "zh_cn": {
                    "content": [
                        [{"tag": "text", "text": "Ask a situation question first."}],
                        [{"tag": "text", "text": ""}],
                        [{"tag": "text", "text": "Then a problem question."}],
                        [
                            {"tag": "text", "text": "— "},
                            {
                                "tag": "a",
                                "text": "SPIN Handbook · 2.1 Situation",
                                "href": "https://coach.example/d/spin#s2-1",
                            },
                        ],
                    ]
                }
            },
            ensure_ascii=False,
        ),
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "feishu:ev-1")),
    }
    # the same event always yields the same uuid: Feishu sends it at most once
    assert a.outbound(message, reply)[0].json["uuid"] == request.json["uuid"]


def test_sync_response_is_empty_json_ack() -> None:
    response = adapter().sync_response(None, None)
    assert (response.status, json.loads(response.body), response.content_type) == (
        200,
        {},
        "application/json",
    )
