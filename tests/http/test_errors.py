"""Error answers through the real app: one JSON body shape, texts that say what is wrong once."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("path", ["/api/sessions/0", "/api/sessions/0/scorecard"])
def test_unknown_session_names_the_id_once(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == {"code": "not_found", "message": "no session '0'"}
    assert body["detail"] == "no session '0'"


def test_unknown_session_message_is_404_with_the_same_text(client):
    response = client.post("/api/sessions/0/messages", json={"text": "hello"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no session '0'"
