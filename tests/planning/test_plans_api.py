"""The plans and scenarios API through the real app, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from service.http.app import create_app

from .conftest import PLANS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BUILTIN = Path(__file__).parents[2] / "playbooks" / "scenarios" / "intercom_gatekeeper.yaml"


@pytest.fixture()
def app_factory(services, settings, database_url):
    """New app instances on the same database: each one is a 'restart' of the server."""

    def make():
        services.rehearsal.forget_stored()  # a restarted process knows no stored scenario yet
        return TestClient(create_app(settings.model_copy(update={"database_url": database_url}), services))

    return make


def test_make_read_and_rehearse_a_plan_across_a_restart(app_factory):
    with app_factory() as client:
        made = client.post("/api/plans", json=PLANS["zh-technical_gatekeeper"])
        assert made.status_code == 201, made.text
        body = made.json()
        plan_id = body["plan_id"]
        assert body["plan"]["person"]["name"] == "钱伟" and "钱伟" in body["markdown"]
        assert client.get(f"/api/plans/{plan_id}").json() == body
        started = client.post(f"/api/plans/{plan_id}/rehearsal", json={"difficulty": "easy"})
        assert started.status_code == 201, started.text
        session_id = started.json()["session_id"]
        assert started.json()["reply"]["difficulty"] == "easy"
        reply = client.post(f"/api/sessions/{session_id}/messages", json={"text": "厂区现在有几套反应装置？"})
        assert [u["id"] for u in reply.json()["reply"]["revealed"]] == ["fact_1"]
    with app_factory() as client:  # restarted: the plan's scenario comes back from the store
        reply = client.post(
            f"/api/sessions/{session_id}/messages", json={"text": "现在的气体检测仪是哪一年装的？"}
        )
        assert reply.status_code == 200, reply.text
        assert [u["id"] for u in reply.json()["reply"]["revealed"]] == ["fact_2"]
        again = client.post(f"/api/plans/{plan_id}/rehearsal")  # no body: the plan's language
        assert again.status_code == 201 and again.json()["reply"]["language"] == "zh"


def test_a_plan_is_rehearsed_by_its_scenario_id_without_asking_for_its_rehearsal_first(app_factory):
    with app_factory() as client:
        plan_id = client.post("/api/plans", json=PLANS["en-user"]).json()["plan_id"]
    with app_factory() as client:  # another process: it never built the plan's scenario
        started = client.post("/api/sessions", json={"mode": "rehearsal", "scenario": f"plan_{plan_id}"})
        assert started.status_code == 201, started.text
        session_id = started.json()["session_id"]
        reply = client.post(
            f"/api/sessions/{session_id}/messages", json={"text": "How many rooms does the hotel have?"}
        )
        assert [u["id"] for u in reply.json()["reply"]["revealed"]] == ["fact_1"]
        missing = client.post(
            "/api/sessions", json={"mode": "rehearsal", "scenario": "plan_0123456789abcdef"}
        )
        assert missing.status_code == 404 and "plan_0123456789abcdef" in missing.text


def test_plan_errors_name_the_field_and_store_nothing(app_factory):
    with app_factory() as client:
        bad = client.post("/api/plans", json={**PLANS["en-user"], "facts": ["only one"]})
        assert bad.status_code == 422 and "facts" in bad.json()["error"]["message"]
        role = client.post(
            "/api/plans", json={**PLANS["en-user"], "person": {"name": "A", "title": "B", "cute_role": "x"}}
        )
        assert role.status_code == 422 and "person.cute_role" in role.json()["error"]["message"]
        assert client.get("/api/plans/" + "0" * 32).status_code == 404
        assert client.get("/api/plans/nope").status_code == 404
        assert client.post("/api/plans/" + "0" * 32 + "/rehearsal").status_code == 404
        odd = client.post("/api/plans/" + "0" * 32 + "/rehearsal", json={"difficulty": "brutal"})
        assert odd.status_code == 422


def _custom_yaml(new_id: str) -> str:
    data = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    data["id"] = new_id
    data["title"] = {"zh": "我自己的场景", "en": "My own scenario"}
    return yaml.safe_dump(data, allow_unicode=True)


def test_a_custom_scenario_is_stored_listed_and_rehearsed(app_factory):
    with app_factory() as client:
        added = client.post("/api/scenarios", json={"yaml": _custom_yaml("my_intercom")})
        assert added.status_code == 201, added.text
        assert added.json()["scenario"]["custom"] is True
        same = client.post("/api/scenarios", json={"yaml": _custom_yaml("my_intercom")})
        assert same.status_code == 201  # the same file again: nothing changes
        listed = {s["id"]: s["custom"] for s in client.get("/api/scenarios").json()["scenarios"]}
        assert listed["my_intercom"] is True and listed["intercom_gatekeeper"] is False
        assert sum(not custom for custom in listed.values()) == 6
    with app_factory() as client:
        started = client.post(
            "/api/sessions", json={"mode": "rehearsal", "scenario": "my_intercom", "lang": "zh"}
        )
        assert started.status_code == 201, started.text
        assert started.json()["reply"]["coach"]["text"]


@pytest.mark.parametrize(
    ("source", "status", "needle"),
    [
        ("id: [unclosed", 422, "not valid YAML"),
        ("- a list", 422, "(root)"),
        ("id: Bad Id\n", 422, "id"),
        (None, 422, "facts"),  # a scenario with its facts removed
        ("BUILTIN", 422, "built-in"),
        ("CONFLICT", 409, "already exists"),
    ],
)
def test_invalid_scenario_files_get_clear_errors(app_factory, source, status, needle):
    with app_factory() as client:
        if source is None:
            data = yaml.safe_load(_custom_yaml("no_facts"))
            del data["facts"]
            source = yaml.safe_dump(data, allow_unicode=True)
        elif source == "BUILTIN":
            source = BUILTIN.read_text(encoding="utf-8")
        elif source == "CONFLICT":
            assert client.post("/api/scenarios", json={"yaml": _custom_yaml("taken")}).status_code == 201
            source = _custom_yaml("taken").replace("我自己的场景", "另一个")
        response = client.post("/api/scenarios", json={"yaml": source})
        assert response.status_code == status, response.text
        assert needle in response.json()["error"]["message"]
        ids = {s["id"] for s in client.get("/api/scenarios").json()["scenarios"]}
        assert "no_facts" not in ids
