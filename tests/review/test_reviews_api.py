"""POST /api/reviews and GET /api/reviews/{id} on SQLite and PostgreSQL: 201 with the contract's
shape, the same review read back, a clear 4xx for every bad input, and nothing stored then."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from service.http.app import create_app
from service.store.models import reviews

from .conftest import read

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def api(services, settings, database_url):
    configured = settings.model_copy(update={"database_url": database_url})
    with TestClient(create_app(configured, services)) as client:
        yield client


def _count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(reviews)).scalar_one())
    finally:
        engine.dispose()


def test_review_is_created_with_the_contract_shape_and_read_back(api, database_url) -> None:
    before = _count(database_url)
    response = api.post(
        "/api/reviews", json={"transcript": read("zh_good.txt").decode(), "salesperson": None}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert {"review_id", "turns", "metrics", "scorecard"} <= body.keys()
    assert body["salesperson"] == "销售" and body["salesperson_inferred"] is True and body["lang"] == "zh"
    turn = body["turns"][0]
    assert {"speaker", "role", "text", "analysis"} <= turn.keys() and turn["role"] == "salesperson"
    assert {"spin", "fabe", "lscpa", "move", "is_question", "unsure"} <= turn["analysis"].keys()
    assert body["metrics"]["next_step_agreed"] is True and 0 < body["metrics"]["talk_share"] < 1
    assert body["scorecard"]["checks"] and all("citations" in c for c in body["scorecard"]["checks"])
    assert _count(database_url) == before + 1
    again = api.get(f"/api/reviews/{body['review_id']}")
    assert again.status_code == 200
    kept = again.json()
    assert kept["turns"] == body["turns"] and kept["metrics"] == body["metrics"] and kept["created_at"]


def test_english_json_with_timestamps_and_a_named_salesperson(api) -> None:
    transcript = json.dumps([
        {"speaker": "Ana", "text": "How many stores do you run today?", "start": 0, "end": 4},
        {"speaker": "Bo", "text": "Twelve, across two states.", "start": 4, "end": 6},
        {"speaker": "Ana", "text": "Could we book a demo next Monday at 10am with your IT lead?", "start": 6, "end": 10},
        {"speaker": "Bo", "text": "Sure, Monday at 10 works.", "start": 10, "end": 12},
    ])  # fmt: skip
    response = api.post(
        "/api/reviews", json={"transcript": transcript, "format": "json", "salesperson": "ana", "lang": "en"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["salesperson"] == "Ana" and body["salesperson_inferred"] is False and body["format"] == "json"
    assert body["metrics"]["talk_share_time"] == round(8 / 12, 3)
    assert body["turns"][1]["start"] == 4 and body["metrics"]["next_step_agreed"] is True
    misses = [c for c in body["scorecard"]["checks"] if not c["passed"]]
    assert misses and all(c["citations"][0]["text_en"] for c in misses)
    assert all(c["practise"].startswith("/?lang=en&drill=") for c in misses if c["drill"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"transcript": ""}, "transcript"),
        ({"transcript": "   "}, "empty"),
        ({"transcript": "just some words without any speaker labels"}, "no labelled utterances"),
        ({"transcript": "A: hi\nB: hello", "format": "docx"}, "format"),
        ({"transcript": "A: hi\nB: hello", "format": "json"}, "not valid JSON"),
        ({"transcript": "A: hi\nB: hello", "salesperson": "Zed"}, "no speaker 'Zed'"),
        ({"transcript": "A: hi\nB: hello", "lang": "fr"}, "lang"),
        ({"transcript": "A: hi\nB: hello", "extra": 1}, "extra"),
        ({"transcript": "A: caf\ufffd\nB: ok"}, "wrong encoding"),
    ],
)
def test_bad_input_is_a_clear_422_and_nothing_is_stored(api, database_url, payload, message) -> None:
    before = _count(database_url)
    response = api.post("/api/reviews", json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert message in body["error"]["message"] and body["detail"] == body["error"]["message"]
    assert _count(database_url) == before


def test_non_utf8_body_is_422(api, database_url) -> None:
    before = _count(database_url)
    body = '{"transcript": "销售：您好\\n客户：你好"}'.encode("gb18030")
    response = api.post("/api/reviews", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "UTF-8" in response.json()["error"]["message"]
    assert _count(database_url) == before


def test_oversized_transcripts_are_refused(api, settings, database_url) -> None:
    before = _count(database_url)
    limit = settings.review_max_bytes
    big = "销售：" + "字" * (limit // 3) + "\n客户：好"  # characters below the limit, bytes above it
    response = api.post("/api/reviews", json={"transcript": big})
    assert response.status_code == 422 and f"the limit is {limit}" in response.json()["error"]["message"]
    huge = json.dumps({"transcript": "A: " + "x" * (settings.review_body_bytes + 10)})
    response = api.post("/api/reviews", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    many = "\n".join(f"{'A' if i % 2 else 'B'}: hi {i}" for i in range(settings.review_max_turns + 1))
    response = api.post("/api/reviews", json={"transcript": many})
    assert response.status_code == 422 and "utterances; the limit is" in response.json()["error"]["message"]
    assert _count(database_url) == before


def test_a_transcript_of_the_largest_size_fits_the_body_limit(api, settings) -> None:
    lines = ["销售：" + "您好，想了解一下贵公司的情况，可以吗？" * 10, "客户：可以，你问吧。" * 10]
    text = "\n".join(lines * 200)
    while len(text.encode()) > settings.review_max_bytes:
        text = text[: len(text) - 2000]
    body = json.dumps({"transcript": text})  # ensure_ascii: escaped CJK is twice its UTF-8 size
    assert len(body) > settings.max_body_bytes
    response = api.post("/api/reviews", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text[:300]


def test_unknown_review_is_404(api) -> None:
    for review_id in ("0" * 32, "nope"):
        response = api.get(f"/api/reviews/{review_id}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_openapi_documents_the_review_operations(api, settings) -> None:
    document = api.get("/openapi.json").json()
    post = document["paths"]["/api/reviews"]["post"]
    assert "201" in post["responses"] and "4XX" in post["responses"]
    assert "404" in document["paths"]["/api/reviews/{review_id}"]["get"]["responses"] or (
        "4XX" in document["paths"]["/api/reviews/{review_id}"]["get"]["responses"]
    )
    schema = document["components"]["schemas"]["ReviewRequest"]["properties"]["transcript"]
    assert schema["maxLength"] == settings.review_max_bytes
