"""The request limits of the HTTP edge, each one number from the settings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LIMIT = 50


@pytest.fixture(scope="module")
def limited(services, settings, tmp_path_factory):
    """An app whose SALESCOACH_MAX_QUERY_CHARS is 50."""
    configured = settings.model_copy(
        update={
            "max_query_chars": LIMIT,
            "database_url": f"sqlite:///{tmp_path_factory.mktemp('limits')}/limits.db",
        }
    )
    with TestClient(create_app(configured, services)) as client:
        yield client


def _ask(client, text):
    return client.post("/api/ask", json={"question": text})


def _search(client, text):
    return client.get("/api/search", params={"q": text})


def _classify(client, text):
    return client.post("/api/classify", json={"text": text, "framework": "spin"})


def _message(client, text):
    session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()["session_id"]
    return client.post(f"/api/sessions/{session_id}/messages", json={"text": text})


@pytest.mark.parametrize("call", [_ask, _search, _classify, _message])
def test_the_text_limit_of_every_operation_is_the_setting(limited, call):
    assert call(limited, "What is SPIN?" + "x" * (LIMIT - 13)).status_code == 200
    response = call(limited, "What is SPIN?" + "x" * (LIMIT - 12))
    assert response.status_code == 422, response.text
    assert str(LIMIT) in response.json()["error"]["message"]


def test_the_schema_states_the_configured_text_limit(limited):
    schema = limited.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["AskRequest"]["properties"]["question"]["maxLength"] == LIMIT
    assert components["ClassifyRequest"]["properties"]["text"]["maxLength"] == LIMIT
    assert components["MessageRequest"]["properties"]["text"]["maxLength"] == LIMIT
    (q,) = [p for p in schema["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["maxLength"] == LIMIT
    assert "x-limit" not in str(schema)
