"""The content phrases of a plan's sentences, the generated questions built from them, and the
plan's SPIN questions read as a salesperson asks."""

from __future__ import annotations

from service.planning.phrasing import asked, content_phrases
from service.planning.plan import parse_plan
from service.planning.scenario_builder import build_scenario, typical_questions

from .conftest import PLANS


def test_content_phrases_name_what_the_sentence_is_about():
    zh = content_phrases("现在车厢温度靠司机手写记录表，到店后交给门店签字。", "zh")
    assert zh[0] == "车厢温度" and len(zh) <= 3
    en = content_phrases(
        "Checkouts are still done at staffed counters using a barcode system installed in 2011.", "en"
    )
    assert "barcode system" in en and all(not any(c.isdigit() for c in p) for p in en)
    # a phrase naming the client tells no fact from another
    assert "greenway" not in " ".join(
        content_phrases("Greenway has 12 clinics and 45 dentists.", "en", ("Greenway Dental",))
    )


def test_a_total_is_asked_for_whole():
    assert asked("教室和实训室一共420间。", "zh") == "教室和实训室多少间"  # not "一多少间"


def test_typed_questions_come_in_both_languages_and_tied_to_the_fact(services):
    types = services.planning.types.facts
    questions = typical_questions(
        "现在各门店店长用纸质表格排班，每周五汇总到总部。", "zh", types, ["纸质表格"]
    )
    assert any("纸质表格" in q for q in questions)
    assert any(q.isascii() for q in questions)  # for a rehearsal in English
    # a question that would be asked of any system is, in the plan's language, tied to a phrase
    assert "这块工作现在是怎么做的？用的什么系统？" not in questions


def test_generated_examples_ask_about_the_facts_phrases(services):
    plan = parse_plan(PLANS["zh-user"])
    scenario = build_scenario(plan, "phrases", services.planning)
    fact = scenario.facts[1]
    assert any("拣货单" in q and q != fact.topic.zh for _, q in fact.asked_by.items())


def test_spin_questions_read_as_questions_and_problem_ones_do_not_presuppose(services):
    plan = parse_plan(
        {
            **PLANS["zh-user"],
            "lang": "en",
            "difficulties": ["Temperature excursions are only discovered after delivery."],
        }
    )
    per_kind = {kind: q for kind, q in services.planner.candidate_questions(plan)[0]}
    assert all(": temperature" not in q and "— temperature" not in q for q in per_kind.values())
    problems = [q for kind, q in services.planner.candidate_questions(plan)[0] if kind == "problem"]
    assert problems and all("only discovered after delivery" not in q for q in problems)
