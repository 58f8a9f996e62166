"""WeCom adapter: AES round trip, echostr handshake, signatures, receive id, parsing, outbound."""

from __future__ import annotations

import base64
import os
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, InboundMessage, WebhookRejected
from service.channels.crypto import TokenUnavailable, aes_cbc_encrypt, pkcs7_pad
from service.channels.wecom import MARKDOWN_LIMIT, WeComAdapter, wecom_signature

NOW = 1_700_000_000.0
CORP = "ww1234567890abcdef"
TOKEN = "wecom-token"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, as WeCom shows it
TS, NONCE = "1700000000", "nonce-1"


def adapter(corp_id: str = CORP) -> WeComAdapter:
    return WeComAdapter(
        corp_id=corp_id,
        token=SecretStr(TOKEN),
        encoding_aes_key=SecretStr(AES_KEY),
        agent_id="1000002",
        corp_secret=SecretStr("corp-secret"),
        api_base="http://127.0.0.1:9999",
        clock=lambda: NOW,
    )


def inner_xml(msg_type: str = "text", content: str = " 怎么问 SPIN 的背景问题？ ") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>1234567890123456</MsgId><AgentID>1000002</AgentID></xml>"
    )


def request_for(plaintext: str, sender: WeComAdapter | None = None) -> tuple[dict[str, str], bytes]:
    encrypt, signature = (sender or adapter()).encrypt(plaintext, NONCE, TS)
    body = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return {"msg_signature": signature, "timestamp": TS, "nonce": NONCE}, body.encode()


def signed_query(encrypt: str) -> dict[str, str]:
    return {"msg_signature": wecom_signature(TOKEN, TS, NONCE, encrypt), "timestamp": TS, "nonce": NONCE}


def test_encrypt_decrypt_round_trip() -> None:
    a = adapter()
    for text in ("hello", "", "x" * 31, "x" * 32, "中文消息" * 50):
        encrypt, signature = a.encrypt(text, NONCE, TS)
        assert len(base64.b64decode(encrypt)) % 32 == 0  # padded to 32, not 16
        assert signature == wecom_signature(TOKEN, TS, NONCE, encrypt)
        assert a.decrypt(encrypt) == text


def test_signature_sorts_the_four_values() -> None:
    import hashlib

    assert wecom_signature("b", "a", "d", "c") == hashlib.sha1(b"abcd").hexdigest()


def test_echostr_handshake() -> None:
    a = adapter()
    echostr, signature = a.encrypt("4529961048", NONCE, TS)
    query = {"msg_signature": signature, "timestamp": TS, "nonce": NONCE, "echostr": echostr}
    response = a.handshake({}, query, b"")
    assert response is not None
    assert (response.status, response.body, response.content_type) == (200, b"4529961048", "text/plain")


def test_echostr_with_plus_decoded_as_space() -> None:
    a = adapter()
    while True:  # find a ciphertext with a "+" in it
        echostr, signature = a.encrypt(os.urandom(8).hex(), NONCE, TS)
        if "+" in echostr:
            break
    query = {
        "msg_signature": signature,
        "timestamp": TS,
        "nonce": NONCE,
        "echostr": echostr.replace("+", " "),
    }
    assert a.handshake({}, query, b"") is not None


def test_handshake_ignores_posts() -> None:
    query, body = request_for(inner_xml())
    assert adapter().handshake({}, query, body) is None


def test_forged_signature_is_401() -> None:
    a = adapter()
    query, body = request_for(inner_xml())
    for q in ({**query, "msg_signature": "0" * 40}, {**query, "nonce": "other"}, {}):
        with pytest.raises(WebhookRejected) as err:
            a.verify({}, q, body)
        assert err.value.status == 401
    echostr, _ = a.encrypt("123", NONCE, TS)
    with pytest.raises(WebhookRejected) as err:
        a.handshake({}, {"msg_signature": "f" * 40, "timestamp": TS, "nonce": NONCE, "echostr": echostr}, b"")
    assert err.value.status == 401


def test_wrong_receive_id_is_403() -> None:
    query, body = request_for(inner_xml(), sender=adapter(corp_id="ww_other_corp"))
    with pytest.raises(WebhookRejected) as err:
        adapter().verify({}, query, body)
    assert err.value.status == 403


def test_bad_padding_and_garbage_base64_are_400() -> None:
    key = base64.b64decode(AES_KEY + "=")
    # valid AES blocks whose last byte (0) is not a PKCS#7 pad length
    bad_padding = base64.b64encode(aes_cbc_encrypt(key, key[:16], bytes(64))).decode()
    # a pad length of 33 is valid for no 32-byte padding
    too_big_pad = base64.b64encode(aes_cbc_encrypt(key, key[:16], b"a" * 31 + b"\x21")).decode()
    not_blocks = base64.b64encode(b"short").decode()
    no_length = base64.b64encode(aes_cbc_encrypt(key, key[:16], pkcs7_pad(b"tiny", 32))).decode()
    for encrypt in (bad_padding, too_big_pad, not_blocks, no_length, "!!not base64!!", ""):
        with pytest.raises(WebhookRejected) as err:
            adapter().decrypt(encrypt)
        assert err.value.status == 400, encrypt


def test_malformed_outer_body_is_400() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
    for body in (b"not xml", b"<xml><ToUserName>a</ToUserName></xml>", xxe, b"\xff\xfe<"):
        with pytest.raises(WebhookRejected) as err:
            adapter().verify({}, signed_query(""), body)
        assert err.value.status == 400


def test_parse_text_message() -> None:
    query, body = request_for(inner_xml())
    a = adapter()
    a.verify({}, query, body)
    [message] = a.parse({}, query, body)
    assert message == InboundMessage(
        channel="wecom",
        tenant=CORP,
        conversation="zhangsan",
        user="zhangsan",
        text="怎么问 SPIN 的背景问题？",
        event_id="1234567890123456",
        reply_to={"user": "zhangsan", "agent_id": "1000002"},
    )


def test_parse_drops_events_and_media() -> None:
    event = f"<xml><ToUserName>{CORP}</ToUserName><FromUserName>zhangsan</FromUserName><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>1000002</AgentID></xml>"
    for plaintext in (event, inner_xml(msg_type="image"), inner_xml(content="  ")):
        query, body = request_for(plaintext)
        assert adapter().parse({}, query, body) == []


def test_parse_malformed_inner_is_400() -> None:
    for plaintext in ("not xml at all", "<xml><MsgType>text</MsgType><Content>hi</Content></xml>"):
        query, body = request_for(plaintext)
        with pytest.raises(WebhookRejected) as err:
            adapter().parse({}, query, body)
        assert err.value.status == 400


def test_bad_encoding_aes_key_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        WeComAdapter(CORP, SecretStr(TOKEN), SecretStr("short"), "1", SecretStr("s"))


def test_token_request_and_cache() -> None:
    a = adapter()
    request = a.token_request()
    assert request.method == "GET"
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9999/cgi-bin/gettoken"
    assert parse_qs(parts.query) == {"corpid": [CORP], "corpsecret": ["corp-secret"]}
    assert request.url == f"http://127.0.0.1:9999/cgi-bin/gettoken?corpid={CORP}&corpsecret=corp-secret"
    assert a.cached_token() is None
    a.remember_token({"errcode": 0, "errmsg": "ok", "access_token": "acc-1", "expires_in": 7200})
    assert a.cached_token(NOW + 60) == "acc-1"
    assert a.cached_token(NOW + 7200) is None
    with pytest.raises(Exception, match="40013"):
        a.remember_token({"errcode": 40013, "errmsg": "invalid corpid"})


def test_outbound_send_request() -> None:
    a = adapter()
    query, body = request_for(inner_xml())
    [message] = a.parse({}, query, body)
    reply = BotReply(
        text="先问背景问题。\n再问难点问题。",
        citations=[
            Citation(doc="SPIN 手册", section="2.1 背景问题", link="https://coach.example/d/spin#s2-1")
        ],
    )
    with pytest.raises(TokenUnavailable):
        a.outbound(message, reply)
    a.remember_token({"errcode": 0, "access_token": "acc 1/x", "expires_in": 7200})
    [request] = a.outbound(message, reply)
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9999/cgi-bin/message/send?access_token=acc+1%2Fx"
    assert request.json == {
        "touser": "zhangsan",
        "msgtype": "markdown",
        "agentid": 1000002,
        "markdown": {
            "content": "先问背景问题。\n再问难点问题。\n— [SPIN 手册 · 2.1 背景问题](https://coach.example/d/spin#s2-1)"
        },
    }


def test_outbound_markdown_fits_the_limit_and_keeps_citations() -> None:
    a = adapter()
    a.remember_token({"errcode": 0, "access_token": "acc", "expires_in": 7200})
    query, body = request_for(inner_xml())
    [message] = a.parse({}, query, body)
    cite = Citation(doc="FABE", section="Benefit", link="https://coach.example/d/fabe#b")
    [request] = a.outbound(message, BotReply(text="长" * 2000, citations=[cite]))
    content = request.json["markdown"]["content"]
    assert len(content.encode()) <= MARKDOWN_LIMIT
    assert content.endswith("— [FABE · Benefit](https://coach.example/d/fabe#b)")
    assert "…" in content


def test_sync_response_is_empty() -> None:
    response = adapter().sync_response(None, None)
    assert (response.status, response.body) == (200, b"")
