"""The utterance evaluation: metrics from a JSONL set, readable report, checked input."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.dialogue.evaluation import (
    Outcome,
    UtteranceReport,
    evaluate_utterances,
    format_report,
    read_utterances,
)
from service.errors import InvalidInput
from service.settings import PROJECT_ROOT

DEV = PROJECT_ROOT / "bench" / "data" / "utterances_dev.jsonl"
CHECK = PROJECT_ROOT / "bench" / "data" / "utterances_check.jsonl"
FRAMEWORKS = ["spin", "fabe", "lscpa", "moves"]


def _outcome(framework, gold, predicted, language="en"):
    return Outcome(framework, "x", language, tuple(gold), tuple(predicted), unsure=False)


def test_summary_metrics_and_confusions():
    report = UtteranceReport(path="mem", multi_label=frozenset({"fabe"}))
    report.outcomes += [
        _outcome("spin", ["problem"], ["problem"], "zh"),
        _outcome("spin", ["problem"], ["implication"], "en"),
        _outcome("fabe", ["feature", "benefit"], ["feature"]),
        _outcome("fabe", ["evidence"], ["evidence", "advantage"]),
    ]
    summary = report.summary()
    assert summary["spin"]["accuracy"] == 0.5
    assert summary["spin"]["by_language"] == {
        "zh": {"n": 1, "accuracy": 1.0},
        "en": {"n": 1, "accuracy": 0.0},
    }
    assert summary["spin"]["confusion"] == {"problem": {"problem": 1, "implication": 1}}
    # tp=2 (feature, evidence), fp=1 (advantage), fn=1 (benefit) -> 4 / 6
    assert summary["fabe"]["micro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert summary["fabe"]["confusion"]["benefit"] == {"tp": 0, "fp": 0, "fn": 1}
    assert "lscpa" not in summary
    text = format_report(report)
    assert "spin" in text and "micro_f1" in text and "errors" in text


def test_the_check_set_is_well_formed_and_covers_every_label():
    rows = read_utterances(CHECK, FRAMEWORKS)
    assert len(rows) >= 60
    seen = {(row["framework"], label) for row in rows for label in row["gold"]}
    for framework, labels in {"spin": 5, "lscpa": 5, "fabe": 4}.items():
        assert len({label for f, label in seen if f == framework}) == labels


def test_bad_line_names_its_number(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"framework":"spin","text":"hi","label":"other"}\n{"framework":"spin"}\n', encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match=":2:"):
        read_utterances(path, FRAMEWORKS)


@pytest.mark.integration
def test_dev_set_meets_the_targets(analyser):
    summary = evaluate_utterances(analyser, DEV).summary()
    assert summary["spin"]["accuracy"] >= 0.90
    assert summary["lscpa"]["accuracy"] >= 0.85
    assert summary["fabe"]["micro_f1"] >= 0.85


@pytest.mark.integration
def test_check_set_generalises(analyser):
    summary = evaluate_utterances(analyser, CHECK).summary()
    assert summary["spin"]["accuracy"] >= 0.85
    assert summary["lscpa"]["accuracy"] >= 0.85
    assert summary["fabe"]["micro_f1"] >= 0.80


CLIENT_PROBES = [
    # our own probes (not from an evaluation set): a fact, a difficulty in context, an off-script question
    {"scenario": "intercom_gatekeeper", "lang": "zh", "prefix": ["王工您好。"], "question": "设计院那边什么时候出弱电图纸？",
     "expect": "fact:timeline"},
    {"scenario": "intercom_gatekeeper", "lang": "en", "prefix": ["Hello Mr Wang.", "What intercoms went into your last estates?",
     "What's been giving you trouble with them day to day?"], "question": "How does that affect you?",
     "expect": "implication:maintenance_failures"},
    {"scenario": "intercom_gatekeeper", "lang": "zh", "prefix": ["王工您好。"], "question": "锦澜置业今年在外地还有新项目吗？",
     "expect": "none"},
]  # fmt: skip


@pytest.mark.integration
def test_client_evaluation_plays_probes_through_the_engine(services, tmp_path):
    import json

    from service.dialogue.client_evaluation import evaluate_client, format_client_report

    path = tmp_path / "probes.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in CLIENT_PROBES), encoding="utf-8")
    report = evaluate_client(services.rehearsal, path)
    summary = report.summary()
    assert summary["all"] == {"n": 3, "accuracy": 1.0}, format_client_report(report)
    assert summary["zh"]["n"] == 2 and summary["en"]["n"] == 1
    assert {"fact", "implication", "none"} <= summary.keys()
    assert report.outcomes[0].revealed == ("fact:timeline",)


def test_client_probes_are_checked(tmp_path):
    from service.dialogue.client_evaluation import load_probes

    path = tmp_path / "bad.jsonl"
    path.write_text('{"scenario": "x", "lang": "zh"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing question, expect"):
        load_probes(path)
