"""A plan's scenario is a regular Scenario: facts fact_1… in the order given, problems problem_1…,
the objection and the goal's highest outcome; its client reveals a fact when asked about it and
nothing when asked about something else (the client evaluation on generated scenarios)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.dialogue.client_evaluation import evaluate_client
from service.planning.plan import parse_plan
from service.planning.scenario_builder import build_scenario
from service.playbooks.scenarios import Scenario

from .conftest import PLANS

pytestmark = [pytest.mark.integration]


def test_the_scenario_follows_the_plan(services, plan_data):
    plan = parse_plan(plan_data)
    scenario = build_scenario(plan, "abc123", services.planning)
    assert isinstance(scenario, Scenario)
    Scenario.model_validate(scenario.model_dump(by_alias=True))  # validated like the built-in ones
    assert [f.id for f in scenario.facts] == [f"fact_{n}" for n in range(1, len(plan.facts) + 1)]
    assert [f.reveal.get(plan.lang)[0] for f in scenario.facts] == plan.facts
    assert [p.id for p in scenario.problems] == [f"problem_{n}" for n in range(1, len(plan.difficulties) + 1)]
    assert scenario.persona.cute_role == plan.person.cute_role
    role = services.planning.roles.of(plan.person.cute_role)
    assert scenario.persona.decision_role == (plan.person.decision_role or role.decision_role)
    assert scenario.persona.style == role.style
    assert scenario.commitment.next_step.get(plan.lang) == plan.goal.highest
    if plan.objection:
        assert scenario.objection.raise_.get(plan.lang) == [plan.objection]
    assert role.concern.get(plan.lang) in scenario.objection.real_concern.get(plan.lang)
    for problem in scenario.problems:  # consequences and need do not repeat the difficulty whole
        text = problem.reveal.get(plan.lang)[0]
        assert all(text not in line for line in problem.implication.get(plan.lang))


def _probes(tmp_path: Path, key: str, questions: list[tuple[str, str]]) -> Path:
    lang = PLANS[key]["lang"]
    opening = (
        "您好，今天想先了解一下情况。"
        if lang == "zh"
        else "Hello, I'd like to understand your situation first."
    )
    rows = [
        {"id": f"{key}-{n}", "scenario": f"plan_{key.replace('-', '_')}", "lang": lang, "prefix": [opening],
         "question": question, "expect": expect}
        for n, (question, expect) in enumerate(questions)
    ]  # fmt: skip
    path = tmp_path / "probes.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("key", "questions"),
    [
        ("zh-coach", [("医院每天大概要配送多少份口服药？", "fact:fact_1"), ("药剂科现在有多少位药师？", "fact:fact_2"),
                      ("你们医院食堂是外包的吗？", "none"), ("医院的停车场够用吗？", "none")]),
        ("en-economic_buyer", [("How many bakeries does Summit run?", "fact:fact_1"),
                               ("How do you plan production at the moment?", "fact:fact_2"),
                               ("Which logistics company delivers your flour?", "none"),
                               ("Where is your head office located?", "none")]),
    ],
)  # fmt: skip
def test_the_client_answers_what_was_asked(services, tmp_path, key, questions):
    engine = services.rehearsal
    engine.remember(build_scenario(parse_plan(PLANS[key]), key.replace("-", "_"), services.planning))
    report = evaluate_client(engine, _probes(tmp_path, key, questions))
    wrong = [(o.question, o.expect, o.revealed) for o in report.errors()]
    assert report.summary()["all"]["accuracy"] >= 0.75, wrong
