"""`salescoach plan`, `salescoach scenario add`, and the messengers' plan exchange."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from service.channels.base import InboundMessage
from service.channels.chat import MessengerChat
from service.cli import app
from service.plans import PlanService
from service.sessions import SessionService
from service.store import SessionStore

from .conftest import PLANS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BUILTIN = Path(__file__).parents[2] / "playbooks" / "scenarios" / "hesitant_before_signing.yaml"


@pytest.fixture()
def runner(services, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("SALESCOACH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SALESCOACH_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    return CliRunner()


def test_plan_prints_markdown_and_rehearses_in_the_terminal(runner, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(PLANS["en-technical_gatekeeper"]), encoding="utf-8")
    script = "Hello Priya, thanks for your time.\nHow many pumping stations does the authority run?\nquit\n"
    result = runner.invoke(app, ["plan", str(path), "--markdown", "--rehearse", "--seed", "1"], input=script)
    assert result.exit_code == 0, result.output
    assert "# Sales visit plan: Valley Water Authority" in result.output
    assert "The authority runs 40 pumping stations." in result.output.split("--- plan_")[1]


def test_plan_json_and_a_bad_plan(runner, tmp_path):
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(PLANS["zh-economic_buyer"], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(good)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["plan"]["role_advice"]["role"] == "economic_buyer"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**PLANS["zh-economic_buyer"], "goal": {"highest": "x"}}), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(bad)])
    assert result.exit_code == 2 and "goal.lowest" in result.output


def test_scenario_add_then_listed(runner, tmp_path):
    data = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    data["id"] = "my_hesitant"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "add", str(path)])
    assert result.exit_code == 0, result.output
    assert "my_hesitant" in runner.invoke(app, ["scenarios"]).output
    del data["objection"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "add", str(path)])
    assert result.exit_code == 2 and "objection" in result.output


@pytest.fixture()
def chat(services, database_url):
    store = SessionStore(database_url)
    store.migrate()
    sessions = SessionService(store, services)
    yield MessengerChat(sessions, "https://coach.example", plans=PlanService(sessions))
    store.close()


def _say(chat: MessengerChat, text: str, n: list[int] = [0]) -> str:  # noqa: B006 - a counter
    n[0] += 1
    return chat.handle(InboundMessage("generic", "t", "c", "u", text, f"e{n[0]}")).text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_exchange_then_its_rehearsal(chat, lang):
    if lang == "zh":
        answers = [
            ("计划", "第 1 步"), ("东江化工", "用逗号分开"), ("东江化工，化工", "第 2 步"), ("钱伟，设备科科长", "这一步还不完整"),
            ("钱伟，设备科科长，技术把关者", "第 3 步"), ("厂区有6套反应装置", "至少需要两条"),
            ("厂区有6套反应装置；现有的气体检测仪是8年前安装的", "第 4 步"),
            ("检测仪误报多，操作工已经习惯了忽略报警", "第 5 步"), ("跳过", "第 6 步"),
            ("同意安排一次技术交流会", "计划做好了"),
        ]  # fmt: skip
        question, rehearse = "现有的气体检测仪是哪年装的？", "演练计划"
    else:
        answers = [
            ("plan", "Step 1"), ("Summit Foods, food manufacturing", "Step 2"),
            ("Robert King, COO, economic buyer", "Step 3"),
            ("Summit runs three bakeries\nPlanning is done weekly in spreadsheets", "Step 4"),
            ("Unsold bread is thrown away every day", "Step 5"), ("We have no budget left", "Step 6"),
            ("a pilot at one bakery in January / he asks his planning manager to meet us", "Your plan is ready"),
        ]  # fmt: skip
        question, rehearse = "How is production planning done at the moment?", "rehearse plan"
    for text, expected in answers:
        said = _say(chat, text)
        assert expected in said, (text, said)
    assert ("钱伟" if lang == "zh" else "Robert King") in said  # the plan itself follows
    opening = _say(chat, rehearse)
    assert ("技术把关者" if lang == "zh" else "economic buyer") in opening
    answer = _say(chat, question)
    assert ("8年前" if lang == "zh" else "spreadsheets") in answer


def test_rehearse_plan_without_a_plan(chat):
    assert "计划" in chat.handle(InboundMessage("generic", "t", "other", "u", "演练计划", "x1")).text


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("同意下周做现场演示 / 同意把资料转给副院长", ["同意下周做现场演示", "同意把资料转给副院长"]),
        ("最高：两座变电站试点；最低：拿到巡检规范", ["两座变电站试点", "拿到巡检规范"]),
        ("最低：拿到巡检规范\n最高：两座变电站试点", ["两座变电站试点", "拿到巡检规范"]),
        (
            "Highest: a two-truck pilot; lowest: the audit checklist",
            ["a two-truck pilot", "the audit checklist"],
        ),
        ("a two-truck pilot", ["a two-truck pilot"]),
        ("最低：拿到巡检规范", []),  # no highest outcome: the step asks again
    ],
)
def test_the_goal_step_reads_labels_and_any_separator(answer, expected):
    from service.planning.wizard import _read, load_wizard
    from service.settings import PROJECT_ROOT

    texts = load_wizard(PROJECT_ROOT / "playbooks")
    goals, missing = _read("goal", answer, "zh", texts)
    assert goals == expected and missing == (not expected)
