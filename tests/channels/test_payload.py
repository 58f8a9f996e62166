"""The shared request readers: every malformed body is a 400, never an unhandled exception."""

import pytest

from service.channels.base import WebhookRejected
from service.channels.payload import header, json_object, required_object, required_str


@pytest.mark.parametrize(
    "body", [b"\xff\xfe", b"{not json", b"[1, 2]", b"[" * 100_000 + b"]" * 100_000, b'"text"']
)
def test_malformed_bodies_are_400(body):
    with pytest.raises(WebhookRejected) as error:
        json_object(body)
    assert error.value.status == 400


def test_required_fields_and_headers():
    data = {"a": "x", "b": "", "c": {"d": 1}}
    assert required_str(data, "a", "body") == "x"
    assert required_object(data, "c", "body") == {"d": 1}
    for key in ("b", "missing"):
        with pytest.raises(WebhookRejected, match=rf"body\.{key} must be a non-empty string"):
            required_str(data, key, "body")
    with pytest.raises(WebhookRejected, match=r"body\.a must be an object"):
        required_object(data, "a", "body")
    assert header({"X-Lark-Signature": "s"}, "x-lark-signature") == "s"
    assert header({}, "timestamp") is None
