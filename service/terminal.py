"""Rendering turns as plain text for the terminal (and any other text-only front end)."""

from __future__ import annotations

from .dialogue.turn import Scorecard, TurnReply

LABELS = {
    "zh": {"client": "客户", "coach": "教练", "next": "试试", "score": "评分", "stage": "阶段", "you": "你",
           "questions": "提问", "talk": "你说话的占比", "todo": "怎么做", "drill": "练习"},
    "en": {"client": "Client", "coach": "Coach", "next": "Try", "score": "Score", "stage": "Stage", "you": "You",
           "questions": "Questions", "talk": "Your share of the talking", "todo": "Instead", "drill": "Drill"},
}  # fmt: skip


def render_turn(reply: TurnReply, citations: bool = True) -> str:
    """The client's line, the coach's note with its citations, suggestions and the scorecard."""
    words = LABELS[reply.language]
    lines: list[str] = []
    if reply.analysis and "spin" in reply.analysis:
        a = reply.analysis
        fabe = "+".join(a["fabe"]) or "-"
        lines.append(
            f"  [{words['stage']}: {reply.stage} | SPIN {a['spin']} | FABE {fabe} | LSCPA {a['lscpa']} | {a['move']}]"
        )
    if reply.client:
        lines.append(f"{words['client']}: {reply.client}")
    if reply.coach:
        lines.append(f"{words['coach']}: {reply.coach.text}")
        if citations:
            lines.extend(f"    — 《{c.doc}》 {c.section}: {_short(c.text)}" for c in reply.coach.citations)
    if reply.prompt:
        lines.append(f"{words['drill']}: {reply.prompt}")
    if reply.suggestions and not reply.done:
        lines.append(f"{words['next']}: {reply.suggestions[0]}")
    if reply.scorecard:
        lines.append(render_scorecard(reply.scorecard))
    return "\n".join(lines)


def render_scorecard(card: Scorecard) -> str:
    words = LABELS[card.language]
    lines = [f"== {words['score']}: {card.score}/100 =="]
    for check in card.checks:
        lines.append(f"{'✓' if check.passed else '✗'} {check.name} — {check.evidence}")
        if not check.passed and check.advice:
            lines.append(f"    {words['todo']}: {check.advice}")
            lines.extend(f"    — 《{c.doc}》 {c.section}: {_short(c.text)}" for c in check.citations)
    counts = ", ".join(f"{label} {n}" for label, n in card.question_counts.items())
    lines.append(f"{words['questions']}: {counts}")
    lines.append(f"{words['talk']}: {card.talk_ratio:.0%}")
    return "\n".join(lines)


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
