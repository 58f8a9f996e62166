"""Generic signed-JSON webhook: signing round trip, window, parsing, callback vs synchronous replies."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, WebhookRejected
from service.channels.generic import GenericAdapter, sign

SECRET = "generic-test-secret-0123456789"
NOW = 1_700_000_000
TS = str(NOW)


def adapter(now: float = NOW) -> GenericAdapter:
    return GenericAdapter(secret=SecretStr(SECRET), clock=lambda: now)


def payload(**fields: object) -> bytes:
    data: dict[str, object] = {"user": "u1", "conversation": "c1", "text": " 如何接近技术把关者? "}
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not ...}, ensure_ascii=False).encode()


def signed(body: bytes, timestamp: str = TS) -> dict[str, str]:
    return {"X-SalesCoach-Timestamp": timestamp, "X-SalesCoach-Signature": sign(SECRET, timestamp, body)}


def test_sign_matches_the_documented_formula() -> None:
    import hmac

    expected = hmac.new(SECRET.encode(), f"{TS}.".encode() + b"{}", hashlib.sha256).hexdigest()
    assert sign(SECRET, TS, b"{}") == f"v1={expected}"
    assert sign(SecretStr(SECRET), TS, b"{}") == f"v1={expected}"


def test_signing_round_trip() -> None:
    body = payload()
    adapter().verify(signed(body), {}, body)
    lower = {k.lower(): v for k, v in signed(body).items()}
    adapter(now=NOW + 299).verify(lower, {}, body)


def test_stale_timestamp_is_401() -> None:
    body = payload()
    with pytest.raises(WebhookRejected) as error:
        adapter(now=NOW + 6 * 60).verify(signed(body), {}, body)
    assert error.value.status == 401
    assert "stale" in error.value.message


def test_forged_body_or_wrong_secret_is_401() -> None:
    body = payload()
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(signed(body), {}, body.replace(b"u1", b"u2"))
    assert error.value.status == 401
    headers = {"X-SalesCoach-Timestamp": TS, "X-SalesCoach-Signature": sign("other", TS, body)}
    with pytest.raises(WebhookRejected):
        adapter().verify(headers, {}, body)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-SalesCoach-Timestamp": TS},
        {"X-SalesCoach-Signature": "v1=00"},
        {"X-SalesCoach-Timestamp": "now", "X-SalesCoach-Signature": "v1=00"},
        {"X-SalesCoach-Timestamp": TS, "X-SalesCoach-Signature": "v1=ünïcode"},
    ],
)
def test_missing_or_garbled_headers_are_401(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(headers, {}, payload())
    assert error.value.status == 401


def test_empty_secret_refused() -> None:
    with pytest.raises(ValueError):
        GenericAdapter(secret=SecretStr(""))


def test_synchronous_request_parsed() -> None:
    body = payload(id="req-1")
    [message] = adapter().parse(signed(body), {}, body)
    assert (message.channel, message.tenant, message.conversation, message.user) == (
        "generic",
        "",
        "c1",
        "u1",
    )
    assert message.text == "如何接近技术把关者?"
    assert message.event_id == "req-1"
    assert dict(message.reply_to) == {}
    assert adapter().is_synchronous(message)


def test_event_id_without_id_is_hash_of_signed_bytes() -> None:
    body = payload()
    [message] = adapter().parse(signed(body), {}, body)
    assert message.event_id == hashlib.sha256(f"{TS}.".encode() + body).hexdigest()
    [again] = adapter().parse(signed(body, str(NOW + 1)), {}, body)
    assert again.event_id != message.event_id


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe{}",
        b"[]",
        b"[" * 100_000,
        payload(user=...),
        payload(conversation=""),
        payload(text=7),
        payload(id=12),
        payload(callback_url=5),
        payload(callback_url="ftp://example.com/x"),
    ],
)
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().parse(signed(body), {}, body)
    assert error.value.status == 400


REPLY = BotReply("先确认评估标准。", [Citation("SPIN 手册", "2.1", "http://web.test/?passage=spin-2.1")])
CITATIONS = [{"doc": "SPIN 手册", "section": "2.1", "link": "http://web.test/?passage=spin-2.1"}]


def test_synchronous_reply_in_the_response() -> None:
    body = payload()
    [message] = adapter().parse(signed(body), {}, body)
    assert adapter().outbound(message, REPLY) == []
    answer = adapter().sync_response(message, REPLY)
    assert (answer.status, answer.content_type) == (200, "application/json")
    assert json.loads(answer.body) == {"text": "先确认评估标准。", "citations": CITATIONS}
    late = adapter().sync_response(message, None)  # the coach missed the time budget
    assert (late.status, json.loads(late.body)) == (200, {"text": "", "citations": []})


def test_callback_request_is_acknowledged_then_posted() -> None:
    body = payload(callback_url="http://127.0.0.1:9/hook")
    [message] = adapter().parse(signed(body), {}, body)
    assert not adapter().is_synchronous(message)
    answer = adapter().sync_response(message, None)
    assert (answer.status, json.loads(answer.body)) == (202, {"status": "accepted"})
    ack = adapter().sync_response(None, None)
    assert (ack.status, json.loads(ack.body)) == (202, {"status": "accepted"})
    [request] = adapter().outbound(message, REPLY)
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9/hook"
    assert dict(request.headers) == {"Content-Type": "application/json"}
    assert request.json == {
        "conversation": "c1",
        "user": "u1",
        "text": "先确认评估标准。",
        "citations": CITATIONS,
    }


def test_class_attributes() -> None:
    assert (GenericAdapter.name, GenericAdapter.ack_seconds, GenericAdapter.synchronous) == (
        "generic",
        5,
        True,
    )
    assert adapter().handshake({}, {}, payload()) is None
