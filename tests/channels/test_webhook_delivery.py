"""Webhook deliveries against the store, on SQLite and PostgreSQL: concurrent and retried deliveries,
ids longer than the columns, odd characters in ids. A real local HTTP server stands in for the
platforms' APIs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.channels.generic import sign as generic_sign
from service.http.app import create_app
from service.settings import GenericSettings, SlackSettings, TeamsSettings

from .fake_platform import FakePlatform

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLACK_SECRET = "slack-signing-secret-for-tests"
TEAMS_TOKEN = base64.b64encode(b"teams-security-token-bytes-0123").decode()
GENERIC_SECRET = "generic-secret-for-tests"
REHEARSE = "rehearse intercom_gatekeeper"
BRIEFING = "Jinlan"  # the client company of that scenario, named in its briefing


@pytest.fixture(scope="module")
def platform():
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(scope="module")
def client(services, settings, platform, database_url):
    configured = settings.model_copy(
        update={
            "database_url": database_url,
            "outbound_retries": 1,
            "slack": SlackSettings(
                signing_secret=SLACK_SECRET, bot_token="xoxb-test", api_base=f"{platform.base}/api"
            ),
            "teams": TeamsSettings(security_token=TEAMS_TOKEN),
            "generic": GenericSettings(secret=GENERIC_SECRET),
        }
    )
    with TestClient(create_app(configured, services)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def database(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _open_sessions(database, channel_key: str) -> int:
    with database.connect() as connection:
        query = text("SELECT count(*) FROM sessions WHERE channel_key = :key AND NOT finished")
        return int(connection.execute(query, {"key": channel_key}).scalar_one())


def _generic(client, payload: dict):
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    headers = {
        "X-SalesCoach-Timestamp": timestamp,
        "X-SalesCoach-Signature": generic_sign(GENERIC_SECRET, timestamp, body),
        "content-type": "application/json",
    }
    return client.post("/webhooks/generic", content=body, headers=headers)


def _teams(client, activity: dict):
    body = json.dumps(activity).encode()
    digest = hmac.new(base64.b64decode(TEAMS_TOKEN), body, hashlib.sha256).digest()
    headers = {
        "Authorization": "HMAC " + base64.b64encode(digest).decode(),
        "content-type": "application/json",
    }
    return client.post("/webhooks/teams", content=body, headers=headers)


def _slack(client, event_id: str, user: str, said: str, retry: int | None = None):
    envelope = {
        "type": "event_callback", "team_id": "T1", "event_id": event_id,
        "event": {"type": "message", "channel_type": "im", "user": user, "channel": "D1",
                  "ts": f"{time.time():.6f}", "text": said},
    }  # fmt: skip
    body = json.dumps(envelope).encode()
    timestamp = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(SLACK_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "content-type": "application/json",
    }
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    return client.post("/webhooks/slack", content=body, headers=headers)


def _teams_activity(activity_id: str, user: str, said: str, conversation: str = "19:conv") -> dict:
    return {"type": "message", "id": activity_id, "from": {"id": user}, "conversation": {"id": conversation},
            "channelData": {"tenant": {"id": "tenant-1"}}, "text": f"<at>Coach</at> {said}"}  # fmt: skip


def _at_once(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


# -- concurrent "rehearse" from one user --------------------------------------------------------


def test_concurrent_rehearse_on_teams_all_answered_one_session(client, database):
    user = f"29:{uuid.uuid4().hex[:8]}"
    responses = _at_once(
        [lambda n=n: _teams(client, _teams_activity(f"act-{user}-{n}", user, REHEARSE)) for n in range(6)]
    )
    assert [r.status_code for r in responses] == [200] * 6, [r.text[:200] for r in responses]
    assert all(BRIEFING in r.json()["text"] for r in responses)
    assert _open_sessions(database, f"teams:tenant-1:19:conv:{user}") == 1
    turn = _teams(client, _teams_activity(f"act-{user}-next", user, "王工您好，我是小李。"))
    assert turn.status_code == 200 and turn.json()["text"]


def test_concurrent_rehearse_on_the_generic_channel_all_answered(client, database):
    user = uuid.uuid4().hex[:8]
    payloads = [
        {"id": f"g-{user}-{n}", "user": user, "conversation": "c", "text": REHEARSE} for n in range(6)
    ]
    responses = _at_once([lambda p=p: _generic(client, p) for p in payloads])
    assert [r.status_code for r in responses] == [200] * 6, [r.text[:200] for r in responses]
    assert all(BRIEFING in r.json()["text"] for r in responses)
    assert _open_sessions(database, f"generic::c:{user}") == 1


def test_concurrent_rehearse_on_slack_every_delivery_gets_its_reply(client, platform, database):
    user = f"U{uuid.uuid4().hex[:8]}"
    start = len(platform.calls)
    ids = [f"Ev-{user}-{n}" for n in range(4)]
    responses = _at_once([lambda e=e: _slack(client, e, user, REHEARSE) for e in ids])
    assert [r.status_code for r in responses] == [200] * 4
    posts = platform.since(start, "/api/chat.postMessage")
    assert len(posts) == 4 and all(BRIEFING in p["json"]["text"] for p in posts)
    assert _open_sessions(database, f"slack:T1:D1:{user}") == 1


# -- a delivery whose work failed is retried by the platform ----------------------------------


def test_a_reply_that_could_not_be_posted_goes_out_on_the_platforms_retry(client, platform):
    user = f"U{uuid.uuid4().hex[:8]}"
    assert _slack(client, f"Ev-{user}-open", user, REHEARSE).status_code == 200
    start = len(platform.calls)
    platform.failures = 2  # the first attempt and its one retry (outbound_retries=1) fail
    line = "王工您好，我是物业的小李，想了解一下小区门禁的情况。"
    assert _slack(client, f"Ev-{user}-turn", user, line).status_code == 200
    assert platform.since(start, "/api/chat.postMessage") == []  # not delivered
    assert _slack(client, f"Ev-{user}-turn", user, line, retry=1).status_code == 200
    delivered = platform.since(start, "/api/chat.postMessage")
    assert len(delivered) == 1 and delivered[0]["json"]["text"]
    assert _slack(client, f"Ev-{user}-turn", user, line, retry=2).status_code == 200  # already delivered
    assert len(platform.since(start, "/api/chat.postMessage")) == 1
    session = client.app.state.sessions.store.find_by_channel_key(f"slack:T1:D1:{user}")
    said = [t.text for t in client.app.state.sessions.store.list_turns(session.id) if t.role == "user"]
    assert said == [line]  # the turn was applied once, not again on the retry


# -- ids the columns cannot hold as they are --------------------------------------------------


def test_ids_longer_than_the_columns_work_and_still_deduplicate(client):
    user, event_id = "u" * 600, "e" * 300 + uuid.uuid4().hex
    first = _generic(client, {"id": event_id, "user": user, "conversation": "c" * 50, "text": REHEARSE})
    assert first.status_code == 200 and BRIEFING in first.json()["text"]
    again = _generic(client, {"id": event_id, "user": user, "conversation": "c" * 50, "text": REHEARSE})
    assert again.status_code == 202  # the same delivery: no second reply
    turn = _generic(
        client, {"id": event_id + "-2", "user": user, "conversation": "c" * 50, "text": "王工您好"}
    )
    assert turn.status_code == 200 and turn.json()["text"] and "rehearse" not in turn.json()["text"]


def test_long_teams_ids(client):
    conversation = "19:" + "c" * 600
    response = _teams(client, _teams_activity("a" * 400 + uuid.uuid4().hex, "29:u", REHEARSE, conversation))
    assert response.status_code == 200 and BRIEFING in response.json()["text"]


def test_nul_in_ids_and_text(client):
    tag = uuid.uuid4().hex[:8]
    payload = {
        "id": f"g\x00{tag}",
        "user": "u\x00" + tag,
        "conversation": "c\x00",
        "text": "rehearse\x00 intercom_gatekeeper",
    }
    response = _generic(client, payload)
    assert response.status_code == 200 and response.json()["text"]
    assert _generic(client, payload).status_code == 202


def test_lone_surrogates_in_a_webhook_body_are_a_400(client):
    body = b'{"id": "g-sur", "user": "u", "conversation": "c", "text": "ask \\ud800 SPIN"}'
    timestamp = str(int(time.time()))
    headers = {
        "X-SalesCoach-Timestamp": timestamp,
        "X-SalesCoach-Signature": generic_sign(GENERIC_SECRET, timestamp, body),
    }
    response = client.post("/webhooks/generic", content=body, headers=headers)
    assert response.status_code == 400 and "JSON" in response.json()["error"]["message"]
