"""Rendering turns as plain text for the terminal (and any other text-only front end)."""

from __future__ import annotations

from .dialogue.turn import Scorecard, TurnReply

LABELS = {
    "zh": {"client": "客户", "coach": "教练", "next": "试试", "score": "评分", "stage": "阶段", "you": "你",
           "questions": "提问", "talk": "你说话的占比", "todo": "怎么做", "drill": "练习",
           "learned": "了解到", "missed": "没有了解到", "found_by": "可以用", "learned_now": "新信息"},
    "en": {"client": "Client", "coach": "Coach", "next": "Try", "score": "Score", "stage": "Stage", "you": "You",
           "questions": "Questions", "talk": "Your share of the talking", "todo": "Instead", "drill": "Drill",
           "learned": "What you learned", "missed": "What you never found out", "found_by": "ask a",
           "learned_now": "Learned"},
}  # fmt: skip


KINDS = {
    "zh": {"fact": "背景", "problem": "难点", "implication": "影响", "need": "需求"},
    "en": {"fact": "fact", "problem": "difficulty", "implication": "consequence", "need": "need"},
}
QUESTION_NAMES = {
    "zh": {"situation": "背景问题", "problem": "难点问题", "implication": "暗示问题", "need_payoff": "需求效益问题", "": ""},
    "en": {"situation": "situation question", "problem": "problem question", "implication": "implication question",
           "need_payoff": "need-payoff question", "": ""},
}  # fmt: skip


def render_turn(reply: TurnReply, citations: bool = True) -> str:
    """The client's line, the coach's note with its citations, suggestions and the scorecard."""
    words = LABELS[reply.language]
    lines: list[str] = []
    if reply.analysis and "move" in reply.analysis:
        verdicts = [
            f"{name.upper()} {'+'.join(value) or '-' if isinstance(value, list) else value}"
            for name, value in reply.analysis.items()
            if name not in ("language", "is_question", "unsure", "move")
        ]
        stage = f"{words['stage']}: {reply.stage}"
        lines.append(f"  [{' | '.join([stage, *verdicts, str(reply.analysis['move'])])}]")
    if reply.client:
        lines.append(f"{words['client']}: {reply.client}")
    for unit in reply.revealed:
        lines.append(f"  + {words['learned_now']} [{KINDS[reply.language][unit.kind]}] {unit.text}")
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
    if card.learned:
        lines.append(f"{words['learned']}:")
        lines.extend(f"  • [{KINDS[card.language][u.kind]}] {u.text}" for u in card.learned)
    if card.missed:
        lines.append(f"{words['missed']}:")
        lines.extend(
            f"  • [{KINDS[card.language][u.kind]}] {u.text} — {words['found_by']} {QUESTION_NAMES[card.language][u.question or '']}"
            for u in card.missed
        )
    counts = ", ".join(f"{label} {n}" for label, n in card.question_counts.items())
    lines.append(f"{words['questions']}: {counts}")
    lines.append(f"{words['talk']}: {card.talk_ratio:.0%}")
    return "\n".join(lines)


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
