"""Teams outgoing webhook: HMAC over the raw body, Activity parsing, the synchronous reply."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, WebhookRejected
from service.channels.teams import TeamsAdapter

KEY = os.urandom(32)
TOKEN = base64.b64encode(KEY).decode()


def adapter() -> TeamsAdapter:
    return TeamsAdapter(security_token=SecretStr(TOKEN))


def activity(text: object = "<at>Bot</at> 如何接近技术把关者?", **extra: object) -> bytes:
    payload = {
        "type": "message",
        "id": "1485983408511",
        "timestamp": "2017-02-01T21:10:07.437Z",
        "serviceUrl": "https://smba.trafficmanager.net/amer-client-ss.msg/",
        "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB", "name": "Tom", "aadObjectId": "aad-tom"},
        "conversation": {"id": "19:253b1f341670408fb6fcb7ed6e2d5a01@thread.skype;messageid=1485983408511"},
        "text": text,
        "channelData": {"teamsChannelId": "19:ch@thread.skype", "teamsTeamId": "19:team@thread.skype",
                        "tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}},
        **extra,
    }  # fmt: skip
    return json.dumps(payload, ensure_ascii=False).encode()


def signed(body: bytes, key: bytes = KEY) -> dict[str, str]:
    mac = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
    return {"Authorization": f"HMAC {mac}"}


def test_own_signature_verifies() -> None:
    body = activity()
    adapter().verify(signed(body), {}, body)
    adapter().verify({"authorization": signed(body)["Authorization"]}, {}, body)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer abc"},
        {"Authorization": "HMAC"},
        {"Authorization": "HMAC " + base64.b64encode(b"\0" * 32).decode()},
        {"Authorization": "HMAC ünïcode"},
    ],
)
def test_missing_or_wrong_authorization_is_401(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(headers, {}, activity())
    assert error.value.status == 401


def test_forged_body_or_other_key_is_401() -> None:
    body = activity()
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(signed(body), {}, body.replace(b"Tom", b"Eve"))
    assert error.value.status == 401
    with pytest.raises(WebhookRejected):
        adapter().verify(signed(body, key=os.urandom(32)), {}, body)


def test_invalid_token_fails_at_construction() -> None:
    with pytest.raises(ValueError):
        TeamsAdapter(security_token=SecretStr("not base64!"))
    with pytest.raises(ValueError):
        TeamsAdapter(security_token=SecretStr(""))


def test_activity_parsed_with_mention_stripped() -> None:
    [message] = adapter().parse({}, {}, activity())
    assert message.channel == "teams"
    assert message.text == "如何接近技术把关者?"
    assert message.event_id == "1485983408511"
    assert message.user == "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB"
    assert message.conversation.startswith("19:253b1f341670408fb6fcb7ed6e2d5a01@thread.skype")
    assert message.tenant == "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_html_text_is_cleaned() -> None:
    body = activity("<div><at>Sales Coach</at>&nbsp;ask <b>pricing</b> &amp; &lt;terms&gt;</div>")
    [message] = adapter().parse({}, {}, body)
    assert message.text == "ask pricing & <terms>"


def test_fallbacks_for_user_and_tenant() -> None:
    body = json.loads(activity())
    body["from"] = {"aadObjectId": "aad-tom"}
    body["channelData"] = {"teamsTeamId": "19:team@thread.skype"}
    [message] = adapter().parse({}, {}, json.dumps(body).encode())
    assert (message.user, message.tenant) == ("aad-tom", "19:team@thread.skype")
    del body["channelData"]
    [message] = adapter().parse({}, {}, json.dumps(body).encode())
    assert message.tenant == ""


def test_non_message_activities_are_dropped() -> None:
    assert adapter().parse({}, {}, activity(type="conversationUpdate")) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"[" * 100_000,
        json.dumps({"type": "message", "id": "1", "conversation": {"id": "c"}, "text": "hi"}).encode(),
        activity(**{"from": {"id": 5}}),
        activity(conversation={}),
        activity(id=None),
        activity(text=42),
    ],
)
def test_malformed_activities_are_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().parse({}, {}, body)
    assert error.value.status == 400


def test_sync_response_carries_the_reply_with_markdown_citations() -> None:
    [message] = adapter().parse({}, {}, activity())
    reply = BotReply(
        "先确认他的评估标准。",
        [
            Citation("SPIN 手册", "2.1 提问", "http://web.test/?passage=spin-2.1"),
            Citation("FABE [附录]", "A", "http://web.test/?passage=fabe a(1)"),
        ],
    )
    answer = adapter().sync_response(message, reply)
    assert answer.status == 200
    assert answer.content_type == "application/json"
    assert json.loads(answer.body) == {
        "type": "message",
        "text": "先确认他的评估标准。\n\n"
        "- [SPIN 手册 · 2.1 提问](http://web.test/?passage=spin-2.1)\n"
        "- [FABE \\[附录\\] · A](http://web.test/?passage=fabe%20a%281%29)",
    }


def test_sync_response_without_reply_is_empty_message() -> None:
    assert json.loads(adapter().sync_response(None, None).body) == {"type": "message", "text": ""}
    assert json.loads(adapter().sync_response(None, BotReply("hi")).body) == {"type": "message", "text": "hi"}


def test_nothing_to_send_later() -> None:
    [message] = adapter().parse({}, {}, activity())
    assert adapter().outbound(message, BotReply("hi")) == []
    assert adapter().handshake({}, {}, activity()) is None
    assert (adapter().synchronous, adapter().ack_seconds, adapter().name) == (True, 5, "teams")
