"""Slack adapter: the documented signature vector, handshake, event and slash-command parsing, replies."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from pydantic import SecretStr

from service.channels.base import BotReply, Citation, WebhookRejected
from service.channels.slack import SlackAdapter

# The test vector from Slack's "Verifying requests from Slack" (see shared/PROTOCOLS.md).
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TIMESTAMP = 1531420618
COMMAND_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
BOT = "U0BOT"


def adapter(now: float = TIMESTAMP) -> SlackAdapter:
    return SlackAdapter(
        signing_secret=SecretStr(SECRET),
        bot_token=SecretStr("xoxb-test-token"),
        bot_user_id=BOT,
        api_base="http://127.0.0.1:9/api/",
        clock=lambda: now,
    )


def signed(body: bytes, timestamp: int = TIMESTAMP) -> dict[str, str]:
    """Headers as Slack sends them (mixed case, as a client would see them)."""
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/json",
    }


def event_body(**event: object) -> bytes:
    envelope = {
        "token": "x",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": TIMESTAMP,
        "event": {"type": "app_mention", "channel": "C1", "user": "U1", "ts": "1531420618.000100", **event},
    }
    return json.dumps(envelope).encode()


# --- signature -------------------------------------------------------------------------------


def test_documented_vector_verifies() -> None:
    headers = {"x-slack-request-timestamp": str(TIMESTAMP), "x-slack-signature": SIGNATURE}
    adapter().verify(headers, {}, COMMAND_BODY)


def test_header_lookup_is_case_insensitive() -> None:
    headers = {"X-Slack-Request-Timestamp": str(TIMESTAMP), "X-SLACK-SIGNATURE": SIGNATURE}
    adapter().verify(headers, {}, COMMAND_BODY)


def test_stale_timestamp_is_rejected() -> None:
    headers = {"x-slack-request-timestamp": str(TIMESTAMP), "x-slack-signature": SIGNATURE}
    with pytest.raises(WebhookRejected) as error:
        adapter(now=TIMESTAMP + 6 * 60).verify(headers, {}, COMMAND_BODY)
    assert error.value.status == 401
    assert "stale" in error.value.message


def test_one_changed_byte_is_rejected() -> None:
    headers = {"x-slack-request-timestamp": str(TIMESTAMP), "x-slack-signature": SIGNATURE}
    forged = COMMAND_BODY.replace(b"user_id=U2CERLKJA", b"user_id=U2CERLKJB")
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(headers, {}, forged)
    assert error.value.status == 401
    assert "signature" in error.value.message


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-slack-request-timestamp": str(TIMESTAMP)},
        {"x-slack-signature": SIGNATURE},
        {"x-slack-request-timestamp": "yesterday", "x-slack-signature": SIGNATURE},
        {"x-slack-request-timestamp": str(TIMESTAMP), "x-slack-signature": "v0=ünïcode"},
    ],
)
def test_missing_or_garbled_headers_are_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(headers, {}, COMMAND_BODY)
    assert error.value.status == 401


def test_non_utf8_body_is_a_clean_rejection() -> None:
    body = b"\xff\xfe garbage"
    with pytest.raises(WebhookRejected) as error:
        adapter().verify(signed(body), {}, body)
    assert error.value.status == 400


# --- handshake -------------------------------------------------------------------------------

CHALLENGE = json.dumps(
    {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
).encode()


def test_url_verification_answered_when_signed() -> None:
    answer = adapter().handshake(signed(CHALLENGE), {}, CHALLENGE)
    assert answer is not None
    assert answer.status == 200
    assert json.loads(answer.body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_url_verification_refused_without_valid_signature() -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().handshake({"content-type": "application/json"}, {}, CHALLENGE)
    assert error.value.status == 401
    headers = signed(CHALLENGE)
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    with pytest.raises(WebhookRejected):
        adapter().handshake(headers, {}, CHALLENGE)


def test_other_requests_are_not_handshakes() -> None:
    body = event_body(text="hi")
    assert adapter().handshake(signed(body), {}, body) is None
    assert adapter().handshake({}, {}, COMMAND_BODY) is None
    assert adapter().handshake({"content-type": "application/json"}, {}, b"{not json") is None


# --- events ----------------------------------------------------------------------------------


def test_app_mention_parsed_with_mention_stripped_and_thread() -> None:
    body = event_body(text=f"<@{BOT}> 如何接近技术把关者? A &amp; B &lt;3", thread_ts="1531420000.000001")
    [message] = adapter().parse(signed(body), {}, body)
    assert message.channel == "slack"
    assert message.tenant == "T1"
    assert message.conversation == "C1"
    assert message.user == "U1"
    assert message.text == "如何接近技术把关者? A & B <3"
    assert message.event_id == "Ev1"
    assert dict(message.reply_to) == {"channel": "C1", "thread_ts": "1531420000.000001"}
    assert message.session_key == "slack:T1:C1:U1"


def test_top_level_message_starts_a_thread_on_itself() -> None:
    body = event_body(type="message", text="hello <@U0OTHER> see <https://example.com|the deck>")
    [message] = adapter().parse(signed(body), {}, body)
    assert message.text == "hello <@U0OTHER> see the deck"  # other people's mentions stay
    assert message.reply_to["thread_ts"] == "1531420618.000100"


def test_mention_with_label_and_bot_id_from_authorizations() -> None:
    envelope = json.loads(event_body(text="<@U0INSTALLED|coach>   ask pricing"))
    envelope["authorizations"] = [{"team_id": "T1", "user_id": "U0INSTALLED", "is_bot": True}]
    body = json.dumps(envelope).encode()
    anonymous = SlackAdapter(SecretStr(SECRET), SecretStr("xoxb"), clock=lambda: TIMESTAMP)
    [message] = anonymous.parse(signed(body), {}, body)
    assert message.text == "ask pricing"


@pytest.mark.parametrize(
    "event",
    [
        {"bot_id": "B1", "text": "I am a bot"},
        {"type": "message", "subtype": "bot_message", "text": "bot", "user": "U9"},
        {"user": BOT, "text": "my own reply"},
        {"type": "message", "subtype": "message_changed", "text": "edited"},
        {"type": "reaction_added", "reaction": "thumbsup"},
    ],
)
def test_bot_and_non_user_events_are_dropped(event: dict[str, object]) -> None:
    body = event_body(**event)
    assert adapter().parse(signed(body), {}, body) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b"\xff{",
        json.dumps({"type": "event_callback", "event": "nope"}).encode(),
        json.dumps(
            {"type": "event_callback", "event_id": "Ev", "team_id": "T", "event": {"type": "message"}}
        ).encode(),
        event_body(text=["not", "a", "string"]),
        b"[" * 100_000,
    ],
)
def test_malformed_events_are_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().parse({"content-type": "application/json"}, {}, body)
    assert error.value.status == 400


# --- slash commands --------------------------------------------------------------------------


def test_slash_command_parsed() -> None:
    [message] = adapter().parse({"content-type": "application/x-www-form-urlencoded"}, {}, COMMAND_BODY)
    assert message.tenant == "T1DC2JH3J"
    assert message.conversation == "G8PSS9T3V"
    assert message.user == "U2CERLKJA"
    assert message.text == ""
    assert message.event_id == "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    assert dict(message.reply_to) == {
        "response_url": "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
    }


def test_slash_command_text_sniffed_without_content_type() -> None:
    body = COMMAND_BODY.replace(b"&text=&", b"&text=ask+%E5%A6%82%E4%BD%95+%26+why&")
    [message] = adapter().parse({}, {}, body)
    assert message.text == "ask 如何 & why"


@pytest.mark.parametrize(
    "body",
    [
        b"team_id=T1&user_id=U1",  # not a command
        COMMAND_BODY.replace(b"&trigger_id=", b"&trigger=_"),
        COMMAND_BODY.replace(b"response_url=https%3A", b"response_url=file%3A"),
    ],
)
def test_malformed_slash_commands_are_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as error:
        adapter().parse({"content-type": "application/x-www-form-urlencoded"}, {}, body)
    assert error.value.status == 400


# --- replies ---------------------------------------------------------------------------------

REPLY = BotReply(
    "Ask about the <budget> & timeline.",
    [Citation("SPIN 手册", "2.1 提问", "http://web.test/?passage=spin-2.1")],
)
BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Ask about the &lt;budget&gt; &amp; timeline."}},
    {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "<http://web.test/?passage=spin-2.1|SPIN 手册 · 2.1 提问>"}],
    },
]


def test_event_reply_is_chat_post_message_in_thread() -> None:
    body = event_body(text=f"<@{BOT}> hi")
    [message] = adapter().parse(signed(body), {}, body)
    [request] = adapter().outbound(message, REPLY)
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9/api/chat.postMessage"
    assert dict(request.headers) == {
        "Authorization": "Bearer xoxb-test-token",
        "Content-Type": "application/json; charset=utf-8",
    }
    assert request.json == {
        "channel": "C1",
        "thread_ts": "1531420618.000100",
        "text": "Ask about the &lt;budget&gt; &amp; timeline.",
        "blocks": BLOCKS,
    }


def test_slash_command_reply_goes_to_response_url_without_token() -> None:
    [message] = adapter().parse({}, {}, COMMAND_BODY)
    [request] = adapter().outbound(message, REPLY)
    assert request.method == "POST"
    assert request.url == "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
    assert dict(request.headers) == {"Content-Type": "application/json; charset=utf-8"}
    assert request.json == {
        "response_type": "ephemeral",
        "text": "Ask about the &lt;budget&gt; &amp; timeline.",
        "blocks": BLOCKS,
    }


def test_long_replies_split_into_sections_and_many_citations_fit_context() -> None:
    text = "\n".join(f"line {i} " + "x&" * 200 for i in range(30))
    citations = [Citation(f"doc{i}", "s", f"http://w/?passage={i}") for i in range(25)]
    [message] = adapter().parse({}, {}, COMMAND_BODY)
    [request] = adapter().outbound(message, BotReply(text, citations))
    sections = [b for b in request.json["blocks"] if b["type"] == "section"]
    assert len(sections) > 1
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert "".join(b["text"]["text"] for b in sections) == request.json["text"]
    [context] = [b for b in request.json["blocks"] if b["type"] == "context"]
    assert len(context["elements"]) <= 10
    assert all(f"passage={i}|" in json.dumps(context) for i in range(25))


def test_ack_is_empty_200() -> None:
    answer = adapter().sync_response(None, None)
    assert (answer.status, answer.body) == (200, b"")
    assert (adapter().synchronous, adapter().ack_seconds, adapter().name) == (False, 3, "slack")
