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


def _outcome(framework, gold, predicted, language="en"):
    return Outcome(framework, "x", language, tuple(gold), tuple(predicted), unsure=False)


def test_summary_metrics_and_confusions():
    report = UtteranceReport(path="mem")
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
    rows = read_utterances(CHECK)
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
        read_utterances(path)


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
