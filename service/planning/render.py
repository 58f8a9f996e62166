"""The filled plan as Markdown (print-friendly: headings, lists, the citations at the end)."""

from __future__ import annotations

from typing import Any

from ..text import Language
from .templates import LSCPA_STEPS, SPIN_KINDS, PlanTemplates

_LSCPA_NAMES = {
    "zh": {"listen": "L 倾听", "share": "S 分担", "clarify": "C 澄清", "present": "P 陈述", "ask": "A 要求"},
    "en": {
        "listen": "L Listen",
        "share": "S Share",
        "clarify": "C Clarify",
        "present": "P Present",
        "ask": "A Ask",
    },
}


def render_markdown(plan: dict[str, Any], templates: PlanTemplates) -> str:
    lang: Language = plan["lang"]
    h = {key: value.get(lang) for key, value in templates.headings.items()}
    person = plan["person"]
    advice = plan["role_advice"]
    out = [f"# {h['title']}: {plan['company']} · {person['name']}", "", f"## {h['basics']}", ""]
    out += [
        f"- **{h['company']}**: {plan['company']}", f"- **{h['industry']}**: {plan['industry']}",
        f"- **{h['person']}**: {person['name']}, {person['title']}",
        f"- **{h['role']}**: {advice['name']}", f"- **{h['date']}**: {plan['date']}", "",
        f"### {h['facts']}", "", *[f"{n}. {fact}" for n, fact in enumerate(plan["facts"], 1)], "",
        f"## {h['goal']}", "", f"- **{h['highest']}**: {plan['goal']['highest']}",
        f"- **{h['lowest']}**: {plan['goal']['lowest']}", "",
        f"## {h['difficulties']}", "",
    ]  # fmt: skip
    for number, item in enumerate(plan["difficulties"], 1):
        out += [f"### {number}. {item['text']}", ""]
        for kind in SPIN_KINDS:
            out += [f"- **{h[kind]}**: " + " / ".join(item["questions"][kind])]
        out.append("")
    out += [f"## {h['fabe']}", ""]
    for number, item in enumerate(plan["fabe"], 1):
        out += [f"### {number}. {item['need']}", ""]
        out += [f"- {item[part]}" for part in ("feature", "advantage", "benefit", "evidence")]
        out.append("")
    objection = plan["objection_plan"]
    out += [f"## {h['objection']}", "", f"> {objection['objection']}", ""]
    steps = {step["step"]: step["text"] for step in objection["steps"]}
    out += [f"- **{_LSCPA_NAMES[lang][step]}**: {steps[step]}" for step in LSCPA_STEPS]
    out += ["", f"## {h['role_advice']}: {advice['name']}", "", advice["summary"], ""]
    for key in ("cares", "give", "avoid"):
        points = [f"- {point}" for point in advice[key]] or [f"- {h['none']}"]
        out += [f"**{h[key]}**", "", *points, ""]
    out += [f"## {h['next_step']}", "", plan["next_step"], "", f"## {h['citations']}", ""]
    cites = [*plan["citations"], *objection.get("citations", []), *advice["citations"]]
    # one entry per handbook section, its passages beneath it, each once however often it is cited
    by_section: dict[str, list[str]] = {}
    for cite in cites:
        quoted = (cite.get("text_en") or cite["text"]) if lang == "en" else cite["text"]
        doc = (cite.get("doc_en") or cite["doc"]) if lang == "en" else cite["doc"]
        section = (cite.get("section_en") or cite["section"]) if lang == "en" else cite["section"]
        quotes = by_section.setdefault(f"- *{doc} · {section}*", [])
        if _short(quoted) not in quotes:
            quotes.append(_short(quoted))
    for heading, quotes in by_section.items():
        out += [heading, *(f"  - {quote}" for quote in quotes)]
    return "\n".join(out).rstrip() + "\n"


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
