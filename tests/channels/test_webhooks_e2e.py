"""Every channel end to end: a signed request into the real app, the coach's reply delivered to a
real local HTTP server standing in for the platform's API, which records exactly what was sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from fastapi.testclient import TestClient

from service.channels.feishu import feishu_encrypt, feishu_signature
from service.channels.generic import sign as generic_sign
from service.channels.wecom import WeComAdapter
from service.http.app import create_app
from service.settings import (
    DingTalkSettings,
    FeishuSettings,
    GenericSettings,
    SlackSettings,
    TeamsSettings,
    WeComSettings,
)

from .fake_platform import FakePlatform

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLACK_SECRET = "slack-signing-secret-for-tests"
TEAMS_TOKEN = base64.b64encode(b"teams-security-token-bytes-0123").decode()
GENERIC_SECRET = "generic-secret-for-tests"
DING_SECRET = "dingtalk-app-secret-for-tests"
FEISHU_KEY = "feishu-encrypt-key"
FEISHU_TOKEN = "feishu-verification-token"
WECOM_AES = base64.b64encode(bytes(range(32))).decode().rstrip("=")
WECOM_TOKEN = "wecom-token"
CORP = "wwcorp123"


@pytest.fixture(scope="module")
def platform():
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(scope="module")
def client(services, settings, platform, tmp_path_factory):
    configured = settings.model_copy(update={
        "database_url": f"sqlite:///{tmp_path_factory.mktemp('hooks')}/hooks.db",
        "web_base_url": "https://coach.example.com",
        "outbound_retries": 1,
        "slack": SlackSettings(signing_secret=SLACK_SECRET, bot_token="xoxb-test", api_base=f"{platform.base}/api"),
        "teams": TeamsSettings(security_token=TEAMS_TOKEN),
        "generic": GenericSettings(secret=GENERIC_SECRET),
        "dingtalk": DingTalkSettings(app_secret=DING_SECRET, reply_hosts=[platform.base]),
        "feishu": FeishuSettings(app_id="cli_test", app_secret="feishu-app-secret", verification_token=FEISHU_TOKEN,
                                 encrypt_key=FEISHU_KEY, api_base=platform.base),
        "wecom": WeComSettings(corp_id=CORP, token=WECOM_TOKEN, encoding_aes_key=WECOM_AES, agent_id="1000002",
                               corp_secret="wecom-corp-secret", api_base=platform.base),
    })  # fmt: skip
    with TestClient(create_app(configured, services)) as test_client:
        yield test_client


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)


def _calls(platform: FakePlatform, since: int) -> list[dict]:
    return platform.calls[since:]


def test_unknown_or_disabled_channel_is_404(client):
    assert client.post("/webhooks/icq", content=b"{}").status_code == 404


def _slack(
    client,
    body: bytes,
    timestamp: int | None = None,
    secret: str = SLACK_SECRET,
    content_type="application/json",
):
    timestamp = timestamp or int(time.time())
    signature = (
        "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    headers = {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "content-type": content_type,
    }
    return client.post("/webhooks/slack", content=body, headers=headers)


def test_slack_event_is_answered_in_its_thread_once(client, platform):
    event = {
        "type": "event_callback", "team_id": "T1", "event_id": "Ev-slack-1",
        "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000000.0001",
                  "text": "<@UBOT> ask How do I approach a technical gatekeeper?"},
    }  # fmt: skip
    body = json.dumps(event).encode()
    start = len(platform.calls)
    assert _slack(client, body).status_code == 200
    assert _slack(client, body).status_code == 200  # Slack's retry of the same event
    calls = _calls(platform, start)
    assert len(calls) == 1
    call = calls[0]
    assert call["path"] == "/api/chat.postMessage"
    assert call["headers"]["authorization"] == "Bearer xoxb-test"
    assert call["json"]["channel"] == "C1" and call["json"]["thread_ts"] == "1700000000.0001"
    assert "Technical gatekeeper" in call["json"]["text"]
    assert "https://coach.example.com/passages/000:" in json.dumps(call["json"]["blocks"])


def test_slack_rejects_forged_stale_and_answers_the_challenge(client):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    assert _slack(client, body).json() == {"challenge": "abc123"}
    assert _slack(client, body, secret="wrong").status_code == 401
    assert _slack(client, body, timestamp=int(time.time()) - 600).status_code == 401
    assert client.post("/webhooks/slack", content=body).status_code == 401  # unsigned


def test_slack_bot_messages_are_ignored(client, platform):
    event = {"type": "event_callback", "team_id": "T1", "event_id": "Ev-bot",
             "event": {"type": "message", "bot_id": "B1", "channel": "C1", "ts": "1.2", "text": "hello"}}  # fmt: skip
    start = len(platform.calls)
    assert _slack(client, json.dumps(event).encode()).status_code == 200
    assert _calls(platform, start) == []


def _teams(client, activity: dict, token: str = TEAMS_TOKEN):
    body = json.dumps(activity).encode()
    digest = hmac.new(base64.b64decode(token), body, hashlib.sha256).digest()
    return client.post(
        "/webhooks/teams",
        content=body,
        headers={"Authorization": "HMAC " + base64.b64encode(digest).decode()},
    )


def test_teams_replies_synchronously_and_once(client):
    activity = {"type": "message", "id": "act-1", "from": {"id": "29:u1", "aadObjectId": "aad-1"},
                "conversation": {"id": "19:conv"}, "channelData": {"tenant": {"id": "tenant-1"}},
                "text": "<at>Coach</at> help"}  # fmt: skip
    first = _teams(client, activity)
    assert first.status_code == 200 and first.json()["type"] == "message"
    assert "rehearse" in first.json()["text"]
    again = _teams(client, activity)
    assert again.status_code == 200 and again.json()["text"] == ""  # a redelivery gets no second reply
    forged = _teams(client, {**activity, "id": "act-2"}, token=base64.b64encode(b"x" * 32).decode())
    assert forged.status_code == 401


def _generic(client, payload: dict, secret: str = GENERIC_SECRET, timestamp: int | None = None):
    body = json.dumps(payload).encode()
    timestamp = str(timestamp or int(time.time()))
    headers = {
        "X-SalesCoach-Timestamp": timestamp,
        "X-SalesCoach-Signature": generic_sign(secret, timestamp, body),
    }
    return client.post("/webhooks/generic", content=body, headers=headers)


def test_generic_webhook_in_the_response_and_to_a_callback(client, platform):
    inline = _generic(
        client, {"id": "g-1", "user": "u1", "conversation": "c1", "text": "rehearse intercom_gatekeeper"}
    )
    assert (
        inline.status_code == 200
        and "王工" in inline.json()["text"] + json.dumps(inline.json(), ensure_ascii=False)
    ) or inline.json()["text"]
    turn = _generic(
        client, {"id": "g-2", "user": "u1", "conversation": "c1", "text": "这个项目一共有多少栋楼、多少户？"}
    )
    assert "情况" not in turn.json()["text"][:0]  # the rehearsal goes on in the same session
    assert turn.json()["text"]
    start = len(platform.calls)
    callback = _generic(client, {"id": "g-3", "user": "u2", "conversation": "c2", "text": "ask What does FABE stand for?",
                                 "callback_url": f"{platform.base}/callback"})  # fmt: skip
    assert callback.status_code == 202
    calls = _calls(platform, start)
    assert len(calls) == 1 and calls[0]["path"] == "/callback"
    assert calls[0]["json"]["conversation"] == "c2" and "FABE" in calls[0]["json"]["text"]
    assert (
        _generic(
            client, {"id": "g-4", "user": "u", "conversation": "c", "text": "hi"}, secret="nope"
        ).status_code
        == 401
    )
    assert (
        _generic(
            client,
            {"id": "g-5", "user": "u", "conversation": "c", "text": "hi"},
            timestamp=int(time.time()) - 600,
        ).status_code
        == 401
    )
    bad = client.post("/webhooks/generic", content=b"not json", headers={"X-SalesCoach-Timestamp": str(int(time.time())),
                      "X-SalesCoach-Signature": generic_sign(GENERIC_SECRET, str(int(time.time())), b"not json")})  # fmt: skip
    assert bad.status_code == 400


def test_dingtalk_replies_to_the_session_webhook(client, platform):
    now_ms = int(time.time() * 1000)
    payload = {"msgtype": "text", "text": {"content": " 问 团购客户分为哪几种?"}, "msgId": "ding-1",
               "conversationId": "cid-1", "conversationType": "1", "senderStaffId": "staff-1", "chatbotCorpId": "corp-d",
               "sessionWebhook": f"{platform.base}/robot/send?session=abc", "sessionWebhookExpiredTime": now_ms + 3_600_000}  # fmt: skip
    sign = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{now_ms}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    start = len(platform.calls)
    for _ in range(2):  # the second delivery is a retry
        response = client.post(
            "/webhooks/dingtalk", json=payload, headers={"timestamp": str(now_ms), "sign": sign}
        )
        assert response.status_code == 200
    calls = _calls(platform, start)
    assert len(calls) == 1 and calls[0]["path"] == "/robot/send" and calls[0]["query"] == {"session": "abc"}
    assert calls[0]["json"]["msgtype"] == "markdown" and "团购" in calls[0]["json"]["markdown"]["text"]
    stale = client.post("/webhooks/dingtalk", json={**payload, "msgId": "ding-2"},
                        headers={"timestamp": str(now_ms - 7_200_000), "sign": sign})  # fmt: skip
    assert stale.status_code == 401


def test_feishu_encrypted_event_reply_with_a_cached_tenant_token(client, platform):
    challenge = feishu_encrypt(
        FEISHU_KEY, json.dumps({"type": "url_verification", "challenge": "c-1", "token": FEISHU_TOKEN})
    )
    assert client.post("/webhooks/feishu", json={"encrypt": challenge}).json() == {"challenge": "c-1"}
    start = len(platform.calls)
    for number in (1, 2):
        event = {"schema": "2.0",
                 "header": {"event_id": f"fe-{number}", "event_type": "im.message.receive_v1", "create_time": "1",
                            "token": FEISHU_TOKEN, "app_id": "cli_test", "tenant_key": "tk-1"},
                 "event": {"sender": {"sender_id": {"open_id": "ou_1"}, "sender_type": "user"},
                           "message": {"message_id": f"om_{number}", "chat_id": "oc_1", "chat_type": "p2p",
                                       "message_type": "text", "content": json.dumps({"text": "@_user_1 help"})}}}  # fmt: skip
        body = json.dumps({"encrypt": feishu_encrypt(FEISHU_KEY, json.dumps(event))}).encode()
        timestamp, nonce = str(int(time.time())), "nonce-1"
        headers = {"X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce,
                   "X-Lark-Signature": feishu_signature(timestamp, nonce, FEISHU_KEY, body), "content-type": "application/json"}  # fmt: skip
        assert client.post("/webhooks/feishu", content=body, headers=headers).status_code == 200
        forged = {**headers, "X-Lark-Signature": "0" * 64}
        assert client.post("/webhooks/feishu", content=body, headers=forged).status_code == 401
    calls = _calls(platform, start)
    paths = [c["path"] for c in calls]
    assert paths == ["/open-apis/auth/v3/tenant_access_token/internal", "/open-apis/im/v1/messages/om_1/reply",
                     "/open-apis/im/v1/messages/om_2/reply"]  # fmt: skip
    assert calls[0]["json"] == {"app_id": "cli_test", "app_secret": "feishu-app-secret"}
    assert all(c["headers"]["authorization"] == "Bearer t-feishu" for c in calls[1:])


def test_wecom_handshake_and_encrypted_message(client, platform):
    adapter = WeComAdapter(corp_id=CORP, token=_secret(WECOM_TOKEN), encoding_aes_key=_secret(WECOM_AES),
                           agent_id="1000002", corp_secret=_secret("wecom-corp-secret"))  # fmt: skip
    timestamp, nonce = str(int(time.time())), "n-1"
    echo, signature = adapter.encrypt("echo-12345", nonce, timestamp)
    handshake = client.get(
        "/webhooks/wecom",
        params={"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echo},
    )
    assert handshake.status_code == 200 and handshake.text == "echo-12345"
    inner = (f"<xml><ToUserName>{CORP}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1</CreateTime>"
             "<MsgType>text</MsgType><Content>帮助</Content><MsgId>wecom-1</MsgId><AgentID>1000002</AgentID></xml>")  # fmt: skip
    encrypt, signature = adapter.encrypt(inner, nonce, timestamp)
    body = f"<xml><ToUserName>{CORP}</ToUserName><AgentID>1000002</AgentID><Encrypt>{encrypt}</Encrypt></xml>".encode()
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    start = len(platform.calls)
    assert client.post("/webhooks/wecom", params=query, content=body).status_code == 200
    assert client.post("/webhooks/wecom", params=query, content=body).status_code == 200  # retry
    assert (
        client.post("/webhooks/wecom", params={**query, "msg_signature": "0" * 40}, content=body).status_code
        == 401
    )
    calls = _calls(platform, start)
    assert [c["path"] for c in calls] == ["/cgi-bin/gettoken", "/cgi-bin/message/send"]
    assert calls[0]["query"] == {"corpid": CORP, "corpsecret": "wecom-corp-secret"}
    assert calls[1]["query"] == {"access_token": "w-wecom"}
    sent = calls[1]["json"]
    assert (
        sent["touser"] == "zhangsan"
        and sent["agentid"] in ("1000002", 1000002)
        and "演练" in json.dumps(sent, ensure_ascii=False)
    )


def test_feishu_unsigned_bodies_are_401_before_any_decryption(client):
    for body in (b"garbage", b'{"encrypt": "not-ciphertext"}', b"{}"):
        response = client.post("/webhooks/feishu", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 401, response.text
