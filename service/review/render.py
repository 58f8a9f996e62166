"""A review as text: Markdown (for download and the CLI's ``--markdown``), a terminal timeline, and a
compact summary for messengers. Works on the review's plain data (``Review.to_dict``)."""

from __future__ import annotations

from typing import Any

WORDS = {
    "zh": {"title": "拜访复盘", "salesperson": "销售", "inferred": "（按提问最多推断，请确认）", "timeline": "时间线",
           "metrics": "指标", "scorecard": "评分", "todo": "怎么做", "practise": "练习", "talk": "销售说话占比（字数）",
           "talk_time": "销售说话占比（时长）", "questions": "提问", "per10": "每 10 轮提问", "order": "SPIN 顺序",
           "monologue": "最长独白（字）", "pitch_early": "需求前介绍方案", "argued": "未澄清就反驳",
           "next_step": "约定了具体下一步", "yes": "是", "no": "否", "objection": "异议"},
    "en": {"title": "Visit review", "salesperson": "Salesperson", "inferred": " (inferred: asked the most questions; please confirm)",
           "timeline": "Timeline", "metrics": "Metrics", "scorecard": "Scorecard", "todo": "Instead", "practise": "Practise",
           "talk": "Salesperson's talk share (words)", "talk_time": "Salesperson's talk share (time)", "questions": "Questions",
           "per10": "Questions per 10 turns", "order": "SPIN order", "monologue": "Longest monologue (words)",
           "pitch_early": "Pitched before a need", "argued": "Argued before clarifying", "next_step": "Concrete next step agreed",
           "yes": "yes", "no": "no", "objection": "objection"},
}  # fmt: skip
SPIN_MARKS = {"situation": "S", "problem": "P", "implication": "I", "need_payoff": "N"}


def tags(turn: dict[str, Any]) -> str:
    """The turn's marks: S/P/I/N, FABE letters, the LSCPA step, or the client's marks."""
    analysis = turn.get("analysis", {})
    if turn["role"] == "client":
        return ", ".join(analysis.get("marks", []))
    parts = []
    if analysis.get("is_question") and analysis.get("spin") in SPIN_MARKS:
        parts.append(SPIN_MARKS[analysis["spin"]])
    if "pitch" in turn.get("events", []):
        parts.append("FABE:" + "".join(label[0].upper() for label in analysis.get("fabe", [])))
    if analysis.get("lscpa"):
        parts.append(f"LSCPA:{analysis['lscpa']}")
    parts += [e for e in turn.get("events", []) if e in ("asked_commitment", "argued", "competitor_attack")]
    return " ".join(parts)


def _metrics(review: dict[str, Any], w: dict[str, str]) -> list[str]:
    m = review["metrics"]
    yes = lambda flag: w["yes"] if flag else w["no"]  # noqa: E731
    lines = [f"- {w['talk']}: {m['talk_share']:.0%}"]
    if "talk_share_time" in m:
        lines.append(f"- {w['talk_time']}: {m['talk_share_time']:.0%}")
    counts = ", ".join(f"{SPIN_MARKS[k]} {v}" for k, v in m["spin_counts"].items())
    lines += [
        f"- {w['questions']}: {m['questions']} ({counts}); {w['per10']}: {m['questions_per_10_turns']}",
        f"- {w['order']}: {m['spin_order'] or '-'}",
        f"- {w['monologue']}: {m['longest_monologue_words']}",
        f"- {w['pitch_early']}: {yes(m['pitch_before_need'])}; {w['argued']}: {yes(m['argued_before_clarifying'])}",
        f"- {w['next_step']}: {yes(m['next_step_agreed'])}",
    ]
    return lines


def _checks(review: dict[str, Any], w: dict[str, str], english: bool, command: str) -> list[str]:
    card = review["scorecard"]
    lines = [f"**{card['score']}/100**" if command == "md" else f"{w['scorecard']}: {card['score']}/100"]
    for check in card["checks"]:
        if command == "chat" and check["passed"]:
            continue  # a messenger reply lists only what to work on
        lines.append(f"{'✓' if check['passed'] else '✗'} {check['name']} — {check['evidence']}")
        if check["passed"]:
            continue
        if check.get("advice"):
            lines.append(f"    {w['todo']}: {check['advice']}")
        for cite in check.get("citations", []):
            text = cite["text_en"] if english and cite.get("text_en") else cite["text"]
            doc = cite.get("doc_en") if english and cite.get("doc_en") else cite["doc"]
            lines.append(f"    — 《{doc}》 {_short(text)}")
        if check.get("drill_framework"):
            verb = {
                "cli": "salescoach drill",
                "chat": "练习" if not english else "drill",
                "md": "salescoach drill",
            }[command]
            lines.append(f"    {w['practise']}: {verb} {check['drill_framework']}")
    return lines


def markdown(review: dict[str, Any]) -> str:
    """The whole review as Markdown: who, the timeline with tags, the metrics, the cited scorecard."""
    w = WORDS[review["lang"]]
    inferred = w["inferred"] if review.get("salesperson_inferred") else ""
    lines = [f"# {w['title']}", "", f"{w['salesperson']}: **{review['salesperson']}**{inferred}", "",
             f"## {w['timeline']}", ""]  # fmt: skip
    for n, turn in enumerate(review["turns"]):
        mark = tags(turn)
        span = " ⚑" if turn.get("objection_open") else ""
        lines.append(f"{n + 1}. **{turn['speaker']}**{span}: {turn['text']}" + (f" `{mark}`" if mark else ""))
    lines += ["", f"## {w['metrics']}", "", *_metrics(review, w), "", f"## {w['scorecard']}", ""]
    lines += _checks(review, w, review["lang"] == "en", "md")
    return "\n".join(lines) + "\n"


def terminal(review: dict[str, Any]) -> str:
    """A readable timeline, the metrics and the scorecard for the terminal."""
    w = WORDS[review["lang"]]
    inferred = w["inferred"] if review.get("salesperson_inferred") else ""
    lines = [f"{w['salesperson']}: {review['salesperson']}{inferred}", f"== {w['timeline']} =="]
    for n, turn in enumerate(review["turns"]):
        mark = tags(turn)
        lines.append(
            f"{n + 1:>3} {turn['speaker']}: {_short(turn['text'], 90)}" + (f"  [{mark}]" if mark else "")
        )
    lines += [f"== {w['metrics']} ==", *_metrics(review, w), f"== {w['scorecard']} =="]
    lines += _checks(review, w, review["lang"] == "en", "cli")
    return "\n".join(lines)


def summary(review: dict[str, Any]) -> str:
    """A compact reply for a messenger: the metrics and the scorecard's misses with their advice."""
    w = WORDS[review["lang"]]
    inferred = w["inferred"] if review.get("salesperson_inferred") else ""
    head = f"{w['title']} · {w['salesperson']}: {review['salesperson']}{inferred}"
    return "\n".join([head, *_metrics(review, w), *_checks(review, w, review["lang"] == "en", "chat")])


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
