"""The command line, run in-process with the session's index."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from service.cli import app

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture()
def runner(services, settings, monkeypatch):
    monkeypatch.setenv("SALESCOACH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def test_index_reports_fresh_index(runner):
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 0, result.output
    assert "fresh" in result.output


def test_search_json_shape(runner):
    result = runner.invoke(app, ["search", "团购客户分为哪几种?", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "团购客户分为哪几种?"
    assert len(payload["results"]) == 2
    assert {"text", "doc", "section", "score"} <= payload["results"][0].keys()


def test_ask_prints_answer_and_citations(runner):
    result = runner.invoke(app, ["ask", "How do I approach a technical gatekeeper?"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Technical gatekeeper:")
    assert "What to give them:" in result.stdout and "[1]" in result.stdout


def test_bad_input_exits_2_with_a_message(runner):
    result = runner.invoke(app, ["search", "  "])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_eval_retrieval_prints_metrics_per_language(runner, tmp_path):
    data = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "lang": "zh", "query": "团购客户分为哪几种?", "gold_any": ["团购客户大致可以分为三种"]},
        {"id": "b", "lang": "en", "query": "What does FABE stand for?", "gold_any": ["FABE"]},
        {"id": "c", "lang": "en", "query": "How do I bake bread?", "gold_any": ["烤面包的配方"]},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "retrieval", str(data), "--k", "5"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["all"]["n"] == 3
    assert summary["zh"]["recall@5"] == 1.0
    assert summary["en"]["recall@5"] == 0.5


def test_classify_json_shape(runner):
    result = runner.invoke(app, ["classify", "--framework", "spin", "这样会导致成本增加吗?", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["framework"] == "spin" and payload["label"] == "implication"
    assert set(payload["scores"]) == {"situation", "problem", "implication", "need_payoff", "other"}


def test_classify_unknown_framework_exits_2(runner):
    result = runner.invoke(app, ["classify", "--framework", "swot", "hello"])
    assert result.exit_code == 2
    assert "unknown framework" in result.output
