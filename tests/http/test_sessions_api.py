"""The sessions API through the real app, on SQLite and on PostgreSQL."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPT = Path(__file__).parents[1] / "dialogue" / "scripts" / "intercom_gatekeeper.good.zh.txt"


@pytest.fixture()
def app_factory(services, settings, database_url):
    """New app instances on the same database: each one is a 'restart' of the server."""

    def make():
        return TestClient(create_app(settings.model_copy(update={"database_url": database_url}), services))

    return make


def _lines() -> list[str]:
    return [line for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_whole_rehearsal_flow_with_transcript_and_scorecard(app_factory):
    with app_factory() as client:
        scenarios = client.get("/api/scenarios").json()["scenarios"]
        assert {"intercom_gatekeeper", "telecom_deputy_director"} <= {s["id"] for s in scenarios}
        started = client.post(
            "/api/sessions", json={"mode": "rehearsal", "scenario": "intercom_gatekeeper", "lang": "zh"}
        )
        assert started.status_code == 201
        session_id = started.json()["session_id"]
        assert started.json()["reply"]["stage"] == "opening"
        for line in _lines():
            reply = client.post(f"/api/sessions/{session_id}/messages", json={"text": line}).json()["reply"]
            assert reply["client"] and reply["analysis"]["spin"]
        assert reply["stage"] == "debrief" and reply["done"] and reply["scorecard"]["score"] == 100
        transcript = client.get(f"/api/sessions/{session_id}").json()
        assert transcript["finished"] and transcript["stage"] == "debrief"
        assert [t["seq"] for t in transcript["turns"]] == list(range(1, 2 * len(_lines()) + 2))
        users = [t for t in transcript["turns"] if t["role"] == "user"]
        assert [u["text"] for u in users] == _lines()
        assert all(u["data"]["analysis"]["spin"] for u in users)
        card = client.get(f"/api/sessions/{session_id}/scorecard").json()["scorecard"]
        assert card["score"] == 100 and len(card["checks"]) == 7


def test_a_session_survives_a_restart_mid_rehearsal(app_factory):
    lines = _lines()
    with app_factory() as client:
        session_id = client.post(
            "/api/sessions", json={"mode": "rehearsal", "scenario": "intercom_gatekeeper", "lang": "zh"}
        ).json()["session_id"]
        for line in lines[:5]:
            client.post(f"/api/sessions/{session_id}/messages", json={"text": line})
        before = client.get(f"/api/sessions/{session_id}").json()
    with app_factory() as restarted:  # a new server process on the same database
        assert restarted.get(f"/api/sessions/{session_id}").json() == before
        for line in lines[5:]:
            reply = restarted.post(f"/api/sessions/{session_id}/messages", json={"text": line}).json()[
                "reply"
            ]
        assert reply["done"] and reply["scorecard"]["score"] == 100


def test_concurrent_messages_to_one_session_are_serialised(app_factory):
    with app_factory() as client:
        session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()["session_id"]
        questions = [f"What is FABE? ({n})" for n in range(8)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(
                lambda q: client.post(f"/api/sessions/{session_id}/messages", json={"text": q}).status_code, questions
            ))  # fmt: skip
        assert statuses == [200] * 8
        turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
        assert [t["seq"] for t in turns] == list(range(1, 18))
        assert sorted(t["text"] for t in turns if t["role"] == "user") == sorted(questions)
        roles = [t["role"] for t in turns[1:]]
        assert roles == ["user", "bot"] * 8  # each question is followed by its own answer


def test_drill_and_ask_sessions(app_factory):
    with app_factory() as client:
        drill = client.post(
            "/api/sessions", json={"mode": "drill", "framework": "lscpa", "lang": "en"}
        ).json()
        assert drill["reply"]["prompt"]
        answer = client.post(
            f"/api/sessions/{drill['session_id']}/messages", json={"text": "Compared to what, exactly?"}
        )
        assert answer.json()["reply"]["coach"]["citations"]
        ask = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()
        reply = client.post(
            f"/api/sessions/{ask['session_id']}/messages",
            json={"text": "How do I approach a technical gatekeeper?"},
        ).json()["reply"]
        assert "What to give them" in reply["coach"]["text"] and reply["coach"]["citations"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("post", "/api/sessions", {"mode": "karaoke"}, 422, "mode"),
        ("post", "/api/sessions", {"mode": "rehearsal", "lang": "zh"}, 422, "scenario"),
        (
            "post",
            "/api/sessions",
            {"mode": "rehearsal", "scenario": "nope", "lang": "zh"},
            404,
            "unknown scenario",
        ),
        ("post", "/api/sessions", {"mode": "drill", "lang": "zh"}, 422, "framework"),
        ("post", "/api/sessions/0000/messages", {"text": "hi"}, 404, "no session"),
        ("get", "/api/sessions/0000", None, 404, "no session"),
        ("get", "/api/sessions/0000/scorecard", None, 404, "no session"),
    ],
)
def test_errors(app_factory, method, path, body, status, needle):
    with app_factory() as client:
        response = (
            getattr(client, method)(path, json=body) if body is not None else getattr(client, method)(path)
        )
        assert response.status_code == status, response.text
        assert needle in response.json()["error"]["message"]


def test_message_limits_and_malformed_bodies(app_factory):
    with app_factory() as client:
        session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "zh"}).json()["session_id"]
        url = f"/api/sessions/{session_id}/messages"
        assert client.post(url, json={"text": "x" * 2001}).status_code == 422
        assert client.post(url, json={"text": "   "}).status_code == 422
        assert (
            client.post(url, content=b'{"text": ', headers={"content-type": "application/json"}).status_code
            == 422
        )
        huge = client.post(
            url, content=b'{"text": "' + b"x" * 70_000 + b'"}', headers={"content-type": "application/json"}
        )
        assert huge.status_code == 413 and "larger than" in huge.json()["error"]["message"]
        # nothing was lost or added by the rejected requests
        assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1


def test_operations_endpoints(app_factory):
    with app_factory() as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {
            "status": "ready",
            "index": True,
            "database": True,
        }
        session_id = client.post("/api/sessions", json={"mode": "ask", "lang": "en"}).json()["session_id"]
        client.post(f"/api/sessions/{session_id}/messages", json={"text": "What is SPIN?"})
        client.get("/api/sessions/missing")
        metrics = client.get("/metrics").text
        assert 'salescoach_turns_total{mode="ask"} 2.0' in metrics
        assert "salescoach_turn_seconds_bucket" in metrics
        assert 'salescoach_errors_total{code="404"} 1.0' in metrics
        assert client.get("/docs").status_code == 200
