"""The visit's numbers: talk share (by words and, with timestamps, by time), questions, SPIN counts
and order, the longest monologue, and the flags the scorecard's events imply."""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from .model import ReviewedTurn

SPIN_LABELS = ("situation", "problem", "implication", "need_payoff")
LETTERS = {"situation": "S", "problem": "P", "implication": "I", "need_payoff": "N"}
# A CJK character is one word, and so is each run of Latin letters or digits.
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]|[A-Za-z0-9]+")


def words(text: str) -> int:
    """Words as the review counts them: CJK characters one each, runs of Latin letters or digits one each."""
    return len(_WORD.findall(text))


def talk_share(turns: list[ReviewedTurn]) -> float:
    """The salesperson's share of the words spoken, 0..1 (three decimals)."""
    total = sum(words(t.text) for t in turns)
    mine = sum(words(t.text) for t in turns if t.role == "salesperson")
    return round(mine / total, 3) if total else 0.0


def talk_share_time(turns: list[ReviewedTurn]) -> float | None:
    """The salesperson's share of the speaking time, when every turn has its start and end."""
    if not turns or any(t.start is None or t.end is None for t in turns):
        return None
    spans = [(t.role, max(0.0, float(t.end) - float(t.start))) for t in turns]  # type: ignore[arg-type]
    total = sum(span for _, span in spans)
    mine = sum(span for role, span in spans if role == "salesperson")
    return round(mine / total, 3) if total else None


def spin_order(turns: list[ReviewedTurn]) -> tuple[str, bool]:
    """The SPIN questions as letters with repeats collapsed ("SPIN", "SPSIN") and whether the
    first question of each kind came in S, P, I, N order."""
    letters = [
        LETTERS[t.spin] for t in turns if t.role == "salesperson" and t.is_question and t.spin in LETTERS
    ]
    collapsed = "".join(letter for letter, _ in groupby(letters))
    firsts = [letter for letter in "SPIN" if letter in letters]
    ordered = sorted(firsts, key=letters.index) == firsts
    return collapsed, ordered


def longest_monologue(turns: list[ReviewedTurn]) -> int:
    """Words of the salesperson's longest stretch without the client saying anything."""
    best = 0
    for role, run in groupby(turns, key=lambda t: t.role):
        if role == "salesperson":
            best = max(best, sum(words(t.text) for t in run))
    return best


def compute(turns: list[ReviewedTurn], events: list[str], next_step_agreed: bool) -> dict[str, Any]:
    """All the metrics of a reviewed visit (``events``: the scorecard's event list, in order)."""
    mine = [t for t in turns if t.role == "salesperson"]
    questions = [t for t in mine if t.is_question]
    order, in_order = spin_order(turns)
    clarify = next((i for i, e in enumerate(events) if e == "lscpa:clarify"), None)
    argued = next((i for i, e in enumerate(events) if e == "argued"), None)
    metrics: dict[str, Any] = {
        "talk_share": talk_share(turns),
        "talk_share_time": talk_share_time(turns),
        "turns": len(turns),
        "salesperson_turns": len(mine),
        "words": sum(words(t.text) for t in turns),
        "questions": len(questions),
        "questions_per_10_turns": round(10 * len(questions) / len(turns), 2) if turns else 0.0,
        "spin_counts": {label: sum(1 for t in questions if t.spin == label) for label in SPIN_LABELS},
        "spin_order": order,
        "spin_in_order": in_order,
        "longest_monologue_words": longest_monologue(turns),
        "pitch_before_need": "pitch_before_need" in events,
        "argued_before_clarifying": argued is not None and (clarify is None or argued < clarify),
        "next_step_agreed": next_step_agreed,
    }
    if metrics["talk_share_time"] is None:
        del metrics["talk_share_time"]
    return metrics
