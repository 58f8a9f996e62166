"""Reviewing whole visits with the real model: good and poor visits in both languages, the timed
formats, who the salesperson is, and the metrics exactly on a constructed visit."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput

from .conftest import read

pytestmark = [pytest.mark.integration]


def _checks(review) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {c.id: c.passed for c in review.checks}


@pytest.mark.parametrize("name", ["zh_good.txt", "en_good.txt"])
def test_a_good_visit_follows_spin_and_agrees_a_next_step(reviewer, name: str) -> None:
    review = reviewer.review(read(name))
    assert review.salesperson in ("销售", "Me") and review.salesperson_inferred
    m = review.metrics
    assert m["next_step_agreed"] is True and m["pitch_before_need"] is False
    assert m["argued_before_clarifying"] is False
    assert m["spin_counts"]["situation"] >= 2 and m["spin_counts"]["implication"] >= 2
    assert m["spin_in_order"] and m["spin_order"].startswith("SP")
    checks = _checks(review)
    assert checks["need_before_pitch"] and checks["clarify_before_present"] and checks["asked_commitment"]
    assert checks["no_competitor_attack"] and "no_boss_question" not in checks  # needs a CUTE role
    assert review.score >= 80
    objection = [t for t in review.turns if "objection_raised" in t.events]
    assert len(objection) == 1 and objection[0].role == "client"
    assert any(t.objection_open for t in review.turns) and not review.turns[-1].objection_open


@pytest.mark.parametrize(("name", "seller"), [("zh_poor.txt", "小王"), ("en_poor.txt", "Me")])
def test_a_poor_visit_is_scored_down_with_cited_advice_and_drills(reviewer, name: str, seller: str) -> None:
    review = reviewer.review(read(name))
    assert review.salesperson == seller  # inferred, though the client asks as many questions
    m = review.metrics
    assert m["pitch_before_need"] is True and m["next_step_agreed"] is False
    assert m["questions"] <= 1 and m["talk_share"] > 0.7
    checks = _checks(review)
    assert not checks["need_before_pitch"] and not checks["asked_commitment"]
    assert not checks["no_competitor_attack"]
    assert review.score <= 40
    for check in review.checks:
        if check.passed:
            assert check.citations == [] and check.advice is None and check.drill is None
            continue
        assert check.advice and check.citations, check.id
        assert all(c.text and c.text_en for c in check.citations)
    pitch = next(c for c in review.checks if c.id == "need_before_pitch")
    assert pitch.drill == "spin_need_payoff_billing" and pitch.drill_framework == "spin"
    assert pitch.practise == f"/?lang={review.language}&drill=spin"
    assert pitch.turn is not None and review.turns[pitch.turn].role == "salesperson"
    assert review.turns[pitch.turn].text[:20] in pitch.evidence  # the evidence quotes the turn


def test_salesperson_analysis_has_the_shape_of_a_rehearsal_turn(reviewer, services) -> None:
    review = reviewer.review(read("zh_good.txt"), salesperson="销售")
    first = next(t for t in review.turns if t.role == "salesperson" and t.is_question)
    rehearsal = services.analyser.analyse(first.text).as_dict()
    assert first.analysis.keys() == rehearsal.keys()
    assert {"spin", "fabe", "lscpa", "move", "is_question", "unsure"} <= first.analysis.keys()
    assert first.analysis["lscpa"] is None  # no objection open yet
    inside = [t for t in review.turns if t.role == "salesperson" and t.objection_open]
    assert inside and all(t.analysis["lscpa"] for t in inside)
    client = [t for t in review.turns if t.role == "client"]
    marks = {m for t in client for m in t.analysis["marks"]}
    assert {"difficulty", "consequence", "need", "objection", "agreement"} <= marks


def test_timed_formats_give_the_time_share_too(reviewer) -> None:
    for name in ("visit.vtt", "visit.srt", "visit.json"):
        review = reviewer.review(read(name))
        assert 0 < review.metrics["talk_share_time"] < 1, name
        assert all(t.start is not None for t in review.turns)
    vtt = reviewer.review(read("visit.vtt"))
    assert vtt.format == "vtt" and vtt.salesperson == "Olivia Chen" and vtt.language == "en"
    mine = [t for t in vtt.turns if t.role == "salesperson"]
    talk = sum(t.end - t.start for t in mine) / sum(t.end - t.start for t in vtt.turns)
    assert vtt.metrics["talk_share_time"] == round(talk, 3)
    assert vtt.metrics["next_step_agreed"] is True
    srt = reviewer.review(read("visit.srt"))
    assert srt.language == "zh" and srt.metrics["next_step_agreed"] is False  # "我再考虑一下吧"
    assert _checks(srt)["asked_commitment"]  # asked, not accepted
    assert reviewer.review(read("visit.json")).metrics["next_step_agreed"] is True


def test_metrics_exactly_on_a_constructed_visit(reviewer) -> None:
    text = (
        "销售：您好，我们公司现在有几个仓库？\n"  # 13 words, a question
        "客户：三个。\n"  # 2
        "销售：下周三上午我带工程师来做个演示，您看可以吗？\n"  # 20
        "客户：好的，下周三上午见。\n"  # 8
    )
    review = reviewer.review(text, lang="zh")
    m = review.metrics
    assert m["talk_share"] == round(33 / 43, 3) and m["words"] == 43
    assert m["questions"] == 2 and m["questions_per_10_turns"] == 5.0
    assert m["longest_monologue_words"] == 20 and m["next_step_agreed"] is True
    refused = reviewer.review(text.replace("好的，下周三上午见。", "好的，我再考虑考虑。"), lang="zh")
    assert refused.metrics["next_step_agreed"] is False
    vague = reviewer.review(text.replace("下周三上午我带工程师来做个演示", "以后有机会再聊聊"), lang="zh")
    assert vague.metrics["next_step_agreed"] is False  # no time, no action: not a concrete step


def test_the_salesperson_can_be_named_and_an_unknown_name_is_refused(reviewer) -> None:
    named = reviewer.review(read("en_good.txt"), salesperson="client")  # case-insensitive
    assert named.salesperson == "Client" and not named.salesperson_inferred
    assert named.turns[0].role == "client"
    with pytest.raises(InvalidInput, match=r"no speaker 'Bob'.*Me, Client"):
        reviewer.review(read("en_good.txt"), salesperson="Bob")
    with pytest.raises(InvalidInput, match="unknown language"):
        reviewer.review(read("en_good.txt"), lang="fr")


def test_a_long_monologue_is_reviewed_not_refused(reviewer) -> None:
    long_turn = "我们的产品功能很全。" * 400  # 4000 characters: longer than a chat message may be
    review = reviewer.review(f"销售：{long_turn}\n客户：好的。")
    assert review.turns[0].text == long_turn and review.metrics["longest_monologue_words"] == 3600
