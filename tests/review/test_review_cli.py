"""``salescoach review`` and ``salescoach eval review``, run in-process with the session's index."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from service.cli import app

from .conftest import DATA

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture()
def runner(services, settings, monkeypatch):
    monkeypatch.setenv("SALESCOACH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def test_review_prints_a_timeline_metrics_and_scorecard(runner) -> None:
    result = runner.invoke(app, ["review", str(DATA / "zh_poor.txt")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "小王" in out and "按提问最多推断" in out  # inferred, shown for confirmation
    assert "== 时间线 ==" in out and "== 指标 ==" in out and "== 评分 ==" in out
    assert "✗" in out and "练习: salescoach drill spin" in out and "《" in out  # cited advice, drill


def test_review_json_and_markdown(runner) -> None:
    result = runner.invoke(app, ["review", str(DATA / "visit.vtt"), "--salesperson", "Olivia Chen", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["salesperson"] == "Olivia Chen" and body["metrics"]["talk_share_time"] > 0
    result = runner.invoke(app, ["review", str(DATA / "en_good.txt"), "--markdown"])
    assert result.exit_code == 0 and result.stdout.startswith("# Visit review")
    assert "## Timeline" in result.stdout and "## Scorecard" in result.stdout


def test_review_errors_exit_2_with_the_reason(runner, tmp_path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("销售：您好\n客户：你好".encode("gb18030"))
    result = runner.invoke(app, ["review", str(gbk)])
    assert result.exit_code == 2 and "not UTF-8" in result.output
    result = runner.invoke(app, ["review", str(DATA / "en_good.txt"), "--salesperson", "Bob"])
    assert result.exit_code == 2 and "no speaker 'Bob'" in result.output
    result = runner.invoke(app, ["review", str(DATA / "en_good.txt"), "--format", "srt"])
    assert result.exit_code == 2 and "no labelled utterances" in result.output


def test_eval_review_reports_accuracy_per_language(runner, tmp_path) -> None:
    (tmp_path / "a.txt").write_text((DATA / "visit.srt").read_text(encoding="utf-8"), encoding="utf-8")
    label = {"file": "a.txt", "lang": "zh", "salesperson": "周敏", "spin": ["other", "situation", "implication", "other"],
             "talk_share": 0.611, "next_step_agreed": False}  # fmt: skip
    (tmp_path / "labels.jsonl").write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["eval", "review", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["zh"]["questions"] == 2 and summary["zh"]["talk_share_exact"] == "1/1"
    assert 0 <= summary["all"]["spin_accuracy_questions"] <= 1
