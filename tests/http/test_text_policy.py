"""What the service does with text the databases disagree on, the same on SQLite and PostgreSQL:
NUL characters are removed before anything reaches the store (PostgreSQL refuses them in text)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def client(services, settings, database_url):
    with TestClient(
        create_app(settings.model_copy(update={"database_url": database_url}), services)
    ) as client:
        yield client


def _user_texts(client, session_id: str) -> list[str]:
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    return [turn["text"] for turn in turns if turn["role"] == "user"]


def test_nul_characters_are_stripped_from_messages(client):
    session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()["session_id"]
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "What is\x00 SPIN?\x00"})
    assert response.status_code == 200, response.text
    assert _user_texts(client, session_id) == ["What is SPIN?"]


def test_a_rehearsal_turn_with_nul_is_stored_without_it(client):
    started = client.post("/api/sessions", json={"mode": "rehearsal", "scenario": "intercom_gatekeeper"})
    session_id = started.json()["session_id"]
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "王工\x00您好，我是小李。"})
    assert response.status_code == 200, response.text
    assert _user_texts(client, session_id) == ["王工您好，我是小李。"]
    assert "\\u0000" not in client.get(f"/api/sessions/{session_id}").text


def test_a_message_of_nothing_but_nul_is_an_empty_message(client):
    session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()["session_id"]
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "\x00\x00"})
    assert response.status_code == 422 and "empty" in response.json()["error"]["message"]


@pytest.mark.parametrize("session_id", ["%00", "abc%00def", "x" * 40, "0" * 32])
def test_odd_session_ids_are_404_not_500(client, session_id):
    assert client.get(f"/api/sessions/{session_id}").status_code == 404
    assert client.get(f"/api/sessions/{session_id}/scorecard").status_code == 404
    assert client.post(f"/api/sessions/{session_id}/messages", json={"text": "hi"}).status_code == 404
