"""DingTalk signs only the timestamp: a captured header pair must not carry another message, on
SQLite and PostgreSQL, across restarts; replies go only to the allowed hosts."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient

from service.channels.dingtalk import dingtalk_sign
from service.http.app import create_app
from service.settings import DingTalkSettings

from .fake_platform import FakePlatform

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "dingtalk-app-secret-for-tests"


@pytest.fixture(scope="module")
def platform():
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(scope="module")
def make_client(services, settings, platform, database_url):
    configured = settings.model_copy(
        update={
            "database_url": database_url,
            "outbound_retries": 0,
            "dingtalk": DingTalkSettings(app_secret=SECRET, reply_hosts=[platform.base]),
        }
    )
    return lambda: TestClient(create_app(configured, services))


@pytest.fixture(scope="module")
def client(make_client):
    with make_client() as test_client:
        yield test_client


def _payload(platform, msg_id: str, text: str = "问 团购客户分为哪几种?", webhook: str | None = None) -> dict:
    now_ms = int(time.time() * 1000)
    return {"msgtype": "text", "text": {"content": text}, "msgId": msg_id, "conversationId": "cid-1",
            "conversationType": "1", "senderStaffId": f"staff-{msg_id}", "chatbotCorpId": "corp-d",
            "sessionWebhook": webhook or f"{platform.base}/robot/send?session={msg_id}",
            "sessionWebhookExpiredTime": now_ms + 3_600_000}  # fmt: skip


def _headers(timestamp_ms: int | None = None) -> dict[str, str]:
    timestamp = str(timestamp_ms or int(time.time() * 1000))
    return {"timestamp": timestamp, "sign": dingtalk_sign(SECRET, timestamp)}


def test_a_captured_signature_does_not_carry_another_message(client, platform):
    captured = _headers()
    first, forged = uuid.uuid4().hex, uuid.uuid4().hex
    start = len(platform.calls)
    assert (
        client.post("/webhooks/dingtalk", json=_payload(platform, first), headers=captured).status_code == 200
    )
    assert (
        client.post("/webhooks/dingtalk", json=_payload(platform, first), headers=captured).status_code == 200
    )
    replay = client.post("/webhooks/dingtalk", json=_payload(platform, forged, "问 FABE"), headers=captured)
    assert replay.status_code == 401 and "replay" in replay.json()["error"]["message"]
    calls = platform.since(start)
    assert [c["query"]["session"] for c in calls] == [first]  # one reply, to the genuine message


def test_the_replay_guard_holds_across_a_restart(make_client, platform):
    captured = _headers()
    with make_client() as first_server:
        assert (
            first_server.post(
                "/webhooks/dingtalk", json=_payload(platform, uuid.uuid4().hex), headers=captured
            ).status_code
            == 200
        )
    with make_client() as restarted:
        replay = restarted.post(
            "/webhooks/dingtalk", json=_payload(platform, uuid.uuid4().hex), headers=captured
        )
        assert replay.status_code == 401


def test_replies_go_only_to_the_allowed_hosts(client, platform):
    start = len(platform.calls)
    for webhook in ("http://127.0.0.2:9/robot/send", "https://evil.example/robot/send"):
        body = _payload(platform, uuid.uuid4().hex, webhook=webhook)
        response = client.post("/webhooks/dingtalk", json=body, headers=_headers())
        assert response.status_code == 400 and "sessionWebhook" in response.json()["error"]["message"]
    assert platform.since(start, ok=False) == []
