"""The web page's boot data comes from the playbooks: frameworks, their labels, moves, difficulties."""

from __future__ import annotations

import json
import re

import yaml

from service.settings import PROJECT_ROOT

FRAMEWORKS_DIR = PROJECT_ROOT / "playbooks" / "frameworks"


def _boot(client, lang: str = "zh") -> dict:
    page = client.get(f"/?lang={lang}")
    assert page.status_code == 200
    match = re.search(r'<script id="boot" type="application/json">(.*?)</script>', page.text, re.S)
    assert match, "the page has no boot data"
    return json.loads(match.group(1))


def test_frameworks_and_their_labels_come_from_the_framework_files(client) -> None:
    boot = _boot(client)
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in FRAMEWORKS_DIR.glob("*.yaml")}
    coaching = {name: data for name, data in files.items() if name != "moves"}
    assert {f["id"] for f in boot["frameworks"]} == set(coaching)
    for framework in boot["frameworks"]:
        data = coaching[framework["id"]]
        assert framework["names"] == data["names"]
        assert [p["label"] for p in framework["parts"]] == [p["label"] for p in data["parts"]]
        assert [p["names"] for p in framework["parts"]] == [p["names"] for p in data["parts"]]
    drills = client.app.state.services.drills.frameworks
    assert [f["id"] for f in boot["frameworks"] if f["drill"]] == drills
    assert boot["moves"] == {m["label"]: m["names"] for m in files["moves"]["moves"]}


def test_difficulties_scenarios_and_language(client) -> None:
    boot = _boot(client, "en")
    assert boot["lang"] == "en"
    rehearsal = yaml.safe_load((PROJECT_ROOT / "playbooks" / "rehearsal.yaml").read_text(encoding="utf-8"))
    assert [d["id"] for d in boot["difficulties"]] == list(rehearsal["difficulties"])
    assert all(set(d["names"]) == {"zh", "en"} for d in boot["difficulties"])
    assert {s["id"] for s in boot["scenarios"]} == {
        s["id"] for s in client.get("/api/scenarios").json()["scenarios"]
    }
    assert _boot(client, "xx")["lang"] == "zh"  # an unknown language falls back to Chinese
