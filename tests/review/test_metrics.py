"""The metrics on constructed visits, checked exactly (no model: the turns are built by hand)."""

from __future__ import annotations

from service.review.metrics import compute, longest_monologue, spin_order, talk_share, talk_share_time, words
from service.review.model import ReviewedTurn


def sp(text: str, spin: str = "other", question: bool = False, start=None, end=None) -> ReviewedTurn:  # type: ignore[no-untyped-def]
    return ReviewedTurn("S", "salesperson", text, start, end, {"spin": spin, "is_question": question})


def cl(text: str, start=None, end=None) -> ReviewedTurn:  # type: ignore[no-untyped-def]
    return ReviewedTurn("C", "client", text, start, end, {"marks": []})


def test_words_count_cjk_characters_and_latin_or_digit_runs() -> None:
    assert words("你好吗？") == 3
    assert words("我们有3000个SKU。") == 6  # 我 们 有 3000 个 SKU
    assert words("Don't stop, it's 24/7!") == 7  # Don, t, stop, it, s, 24, 7
    assert words("e-mail the CRM v2.5") == 6
    assert words("—— …，。") == 0


def test_talk_share_by_words() -> None:
    turns = [sp("你好吗？", "other", True), cl("很好。")]  # 3 words against 2
    assert talk_share(turns) == 0.6
    turns = [
        sp("How many sites do you run?", "situation", True),
        cl("Three."),
        sp("OK."),
        cl("Yes, three sites."),
    ]
    assert talk_share(turns) == round(7 / 11, 3)
    assert talk_share([]) == 0.0


def test_talk_share_by_time_needs_every_timestamp() -> None:
    timed = [sp("a", start=0.0, end=3.0), cl("b", start=3.0, end=4.0)]
    assert talk_share_time(timed) == 0.75
    assert talk_share_time([sp("a", start=0.0, end=3.0), cl("b")]) is None


def test_spin_order_and_counts_and_questions_per_10_turns() -> None:
    turns = [
        sp("s1?", "situation", True), cl("x"), sp("s2?", "situation", True), cl("x"),
        sp("p?", "problem", True), cl("x"), sp("i?", "implication", True), cl("x"),
        sp("pitch"), cl("x"), sp("n?", "need_payoff", True), cl("x"),
    ]  # fmt: skip
    assert spin_order(turns) == ("SPIN", True)
    metrics = compute(turns, [], next_step_agreed=False)
    assert metrics["questions"] == 5 and metrics["questions_per_10_turns"] == round(10 * 5 / 12, 2)
    assert metrics["spin_counts"] == {"situation": 2, "problem": 1, "implication": 1, "need_payoff": 1}
    assert "talk_share_time" not in metrics
    backwards = [sp("i?", "implication", True), cl("x"), sp("s?", "situation", True)]
    assert spin_order(backwards) == ("IS", False)


def test_longest_monologue_joins_consecutive_salesperson_turns() -> None:
    turns = [sp("one two three"), sp("four five"), cl("ok"), sp("一二三四五六")]
    assert longest_monologue(turns) == 6
    assert longest_monologue([cl("only the client")]) == 0


def test_flags_from_the_event_list() -> None:
    turns = [sp("a"), cl("b")]
    assert compute(turns, ["pitch", "pitch_before_need"], False)["pitch_before_need"] is True
    assert (
        compute(turns, ["objection_raised", "lscpa:present", "argued"], False)["argued_before_clarifying"]
        is True
    )
    clarified = compute(turns, ["objection_raised", "lscpa:clarify", "lscpa:present"], True)
    assert clarified["argued_before_clarifying"] is False and clarified["next_step_agreed"] is True
