"""The expected objection: its kind, and the LSCPA plan to handle it (handbook 002: 倾听, 分担,
澄清, 陈述, 要求)."""

from __future__ import annotations

from ..text import Language
from .phrasing import bare, fill
from .templates import LSCPA_STEPS, ObjectionKind, PlanTemplates


def objection_kind(text: str, lang: Language, templates: PlanTemplates) -> ObjectionKind:
    """The first kind whose words occur in the objection; "doubt" when none does."""
    lowered = text.lower()
    for kind, words in templates.objection_kinds.items():
        if any(word.lower() in lowered for word in words.get(lang)):
            return kind
    return "doubt"


def lscpa_plan(objection: str, highest: str, lang: Language, templates: PlanTemplates) -> dict[str, object]:
    """``{"objection", "kind", "steps": [{"step", "text"}]}`` for the expected objection."""
    kind = objection_kind(objection, lang, templates)
    hint = templates.concern_hints[kind].get(lang)
    steps = [
        {
            "step": step,
            "text": fill(
                getattr(templates.lscpa, step).get(lang),
                objection=bare(objection), concern_hint=hint, highest=bare(highest),
            ),
        }
        for step in LSCPA_STEPS
    ]  # fmt: skip
    return {"objection": objection, "kind": kind, "steps": steps}
