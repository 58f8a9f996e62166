"""The JSON API through the real app (lifespan included), shapes and error cases."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_search_shape(client):
    response = client.get("/api/search", params={"q": "如何接近技术把关者?", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "如何接近技术把关者?"
    assert len(body["results"]) == 3
    for hit in body["results"]:
        assert {"text", "doc", "section", "score"} <= hit.keys()
        assert isinstance(hit["score"], float)


def test_ask_shape_in_both_languages(client):
    zh = client.post("/api/ask", json={"question": "什么是CUTE理论?", "lang": None}).json()
    assert zh["language"] == "zh" and zh["citations"]
    assert {"text", "doc", "section"} <= zh["citations"][0].keys()
    en = client.post("/api/ask", json={"question": "Explain the 80/20 rule for customers"}).json()
    assert en["language"] == "en" and en["answer"].startswith("Here is") and en["card"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "x" * 2001},
        {"q": "客户", "k": 0},
        {"q": "客户", "k": 51},
        {"q": "客户", "k": "five"},
        {},
    ],
)
def test_search_rejects_bad_parameters_with_422(client, params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_whitespace_only_query_is_a_422_not_a_500(client):
    response = client.get("/api/search", params={"q": "   "})
    assert response.status_code == 422
    assert "empty" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'{"question": ', "not valid JSON"),
        (b'{"question": ""}', "question"),
        (('{"question": "' + "x" * 2001 + '"}').encode(), "question"),
        (b'{"question": "hi", "lang": "fr"}', "lang"),
        (b'{"questions": "hi"}', "question"),
        (b"[1, 2]", "request"),
        ('{"question": "客户"}'.encode("gbk"), "JSON"),
    ],
)
def test_ask_rejects_malformed_bodies_with_422(client, body, needle):
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert needle in response.json()["error"]["message"]


def test_unknown_route_is_404_json(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_error"


def test_ask_reports_the_card_it_answered_from(client):
    body = client.post("/api/ask", json={"question": "How do I approach a technical gatekeeper?"}).json()
    assert body["card"] == "technical_gatekeeper"
    assert body["answer"].startswith("Technical gatekeeper")


@pytest.mark.parametrize(
    ("payload", "key", "expected"),
    [
        ({"text": "你们公司目前有多少员工?", "framework": "spin"}, "label", "situation"),
        (
            {"text": "If the line stops for a day, what does that cost you?", "framework": "spin"},
            "label",
            "implication",
        ),
        (
            {"text": "When you say it's too slow, slow compared to what?", "framework": "lscpa"},
            "label",
            "clarify",
        ),
    ],
)
def test_classify_shape(client, payload, key, expected):
    response = client.post("/api/classify", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["framework"] == payload["framework"]
    assert body[key] == expected
    assert set(body["scores"]) >= {expected}


def test_classify_fabe_returns_a_label_list(client):
    body = client.post(
        "/api/classify", json={"text": "这是客户的验收报告,三百多个小区在用。", "framework": "fabe"}
    ).json()
    assert body["framework"] == "fabe" and "evidence" in body["labels"]
    assert "label" not in body


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"text": "", "framework": "spin"}, "text"),
        ({"text": "x" * 2001, "framework": "spin"}, "text"),
        ({"text": "   ", "framework": "spin"}, "empty"),
        ({"text": "hello", "framework": "swot"}, "framework"),
        ({"text": "hello"}, "framework"),
    ],
)
def test_classify_rejects_bad_input_with_422(client, payload, needle):
    response = client.post("/api/classify", json=payload)
    assert response.status_code == 422
    assert needle in response.json()["error"]["message"]
