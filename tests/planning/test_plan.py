"""A visit plan for each CUTE role in both languages: SPIN questions the analyser classifies as
their kind, FABE, LSCPA, the role's advice, the next step, citations with English beside them."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.planning.plan import parse_plan
from service.planning.render import render_markdown

from .conftest import PLANS

pytestmark = [pytest.mark.integration]


def test_a_plan_is_filled_for_every_role_and_language(services, plan_data):
    plan = parse_plan(plan_data)
    filled, checks = services.planner.make(plan, check=True)
    lang = plan.lang
    assert [d["text"] for d in filled["difficulties"]] == plan.difficulties
    for item in filled["difficulties"]:
        for kind, questions in item["questions"].items():
            assert questions, kind
            # every question names the difficulty it is about (its first clause)
            assert all(q.strip() for q in questions)
    # checked: each suggested question is one the analyser classifies as its kind (or the first one)
    labels = {c.text: c.label for c in checks}
    suggested = [(k, q) for d in filled["difficulties"] for k, qs in d["questions"].items() for q in qs]
    agree = sum(labels[q] == k for k, q in suggested)
    assert agree / len(suggested) >= 0.75, [(k, q, labels[q]) for k, q in suggested if labels[q] != k]
    assert len(filled["fabe"]) == len(plan.difficulties)
    steps = [s["step"] for s in filled["objection_plan"]["steps"]]
    assert steps == ["listen", "share", "clarify", "present", "ask"]
    assert plan.goal.highest.rstrip("。.") in filled["objection_plan"]["steps"][-1]["text"]
    advice = filled["role_advice"]
    assert advice["role"] == plan.person.cute_role
    assert advice["cares"] and advice["give"] and advice["avoid"] and advice["citations"]
    chinese = [any("\u4e00" <= ch <= "\u9fff" for ch in point) for point in advice["cares"]]
    assert all(chinese) if lang == "zh" else not any(chinese)
    assert plan.goal.highest.rstrip("。.") in filled["next_step"]
    assert plan.goal.lowest.rstrip("。.") in filled["next_step"]
    for cite in [*filled["citations"], *advice["citations"], *filled["objection_plan"]["citations"]]:
        assert cite["text"] and cite["text_en"] and cite["passage_id"]
    markdown = render_markdown(filled, services.planning.plan)
    assert plan.company in markdown and all(fact in markdown for fact in plan.facts)
    assert ("销售拜访计划表" in markdown) == (lang == "zh")
    sources = markdown.split("\n## ")[-1].splitlines()[1:]
    headings = [line.split("*")[1] for line in sources if line.startswith("- ")]  # "- *doc · section*"
    assert headings and len(headings) == len(set(headings))  # each handbook section once
    assert all(line.startswith(("- ", "  - ")) for line in sources if line)


def test_role_advice_differs_by_role(services):
    advice = {
        key: services.planner.make(parse_plan(PLANS[key]))[0]["role_advice"]["cares"]
        for key in ("zh-coach", "zh-technical_gatekeeper", "zh-economic_buyer", "zh-user")
    }
    assert len({tuple(v) for v in advice.values()}) == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"facts": ["只有一条"]}, "facts"),
        ({"difficulties": []}, "difficulties"),
        ({"person": {"name": "王", "title": "主任", "cute_role": "boss"}}, "person.cute_role"),
        ({"person": {"name": "王", "title": "主任", "cute_role": "user", "decision_role": "king"}}, "person.decision_role"),
        ({"goal": {"highest": "演示"}}, "goal.lowest"),
        ({"lang": "fr"}, "lang"),
        ({"company": "   "}, "company"),
        ({"surprise": 1}, "surprise"),
    ],
)  # fmt: skip
def test_an_invalid_plan_names_the_field(change, field):
    with pytest.raises(InvalidInput) as error:
        parse_plan({**PLANS["zh-user"], **change})
    assert str(error.value).startswith(f"{field}:"), str(error.value)


def test_a_plan_without_objection_gets_a_default_one(services):
    filled, _ = services.planner.make(parse_plan(PLANS["en-user"]))
    assert filled["objection"] is None
    assert filled["objection_plan"]["objection"] == services.planning.plan.default_objection.en


def test_unchecked_plans_list_every_templated_question(services):
    plan = parse_plan(PLANS["zh-user"])
    filled, checks = services.planner.make(plan, check=False)
    assert checks == []
    per_kind = {k: len(v.get("zh")) for k, v in services.planning.questions.model_dump().items()}
    assert {k: len(v) for k, v in filled["difficulties"][0]["questions"].items()} == per_kind
