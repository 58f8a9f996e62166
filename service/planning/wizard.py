"""`plan` / `计划` in a messenger: a short step-by-step exchange (company → person and role → known
facts → difficulties → objection → goal) whose answers become a visit plan. The state is plain
data, kept in the store like a session's; the texts are in ``playbooks/planning/wizard.yaml``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from ..datafiles import StrictModel, load_yaml_model
from ..playbooks.frameworks import Bilingual, TextLists
from ..text import Language

STEPS = ("company", "person", "facts", "difficulties", "objection", "goal")
_PARTS = re.compile(r"\s*[，,、]\s*")
_LINES = re.compile(r"\s*(?:\n|；|;)\s*")
_GOAL = re.compile(r"\s*(?:[/／|；;]|\n)\s*")


class WizardTexts(StrictModel):
    steps: dict[Literal[STEPS], Bilingual]  # type: ignore[valid-type]
    done: Bilingual
    cancelled: Bilingual
    retry: Bilingual
    needs: dict[str, Bilingual]
    skip: list[str]
    cancel: list[str]
    lowest_default: Bilingual
    date: Bilingual
    role_words: dict[Literal["coach", "user", "technical_gatekeeper", "economic_buyer"], TextLists]
    goal_labels: dict[Literal["highest", "lowest"], list[str]]  # "最高：… / 最低：…" labels either outcome


def load_wizard(playbooks_dir: Path) -> WizardTexts:
    return load_yaml_model(playbooks_dir / "planning" / "wizard.yaml", WizardTexts)


def start(lang: Language, texts: WizardTexts) -> tuple[dict[str, Any], str]:
    return {"step": STEPS[0], "answers": {}, "lang": lang}, texts.steps["company"].get(lang)


def advance(state: dict[str, Any], text: str, texts: WizardTexts) -> tuple[dict[str, Any], str, str]:
    """One answer: the new state, what to say, and the outcome ("ask", "done", "cancelled").
    When done, ``state["plan"]`` holds the plan as ``POST /api/plans`` takes it."""
    lang: Language = state["lang"]
    answer = text.strip()
    if answer.lower() in texts.cancel:
        return {**state, "step": None}, texts.cancelled.get(lang), "cancelled"
    step = state["step"]
    skipped = answer.lower() in texts.skip
    value, missing = _read(step, "" if skipped else answer, lang, texts)
    if missing:
        return state, texts.retry.get(lang) + texts.needs[step].get(lang), "ask"
    answers = {**state["answers"], step: value}
    following = STEPS.index(step) + 1
    if following < len(STEPS):
        nxt = STEPS[following]
        return {**state, "step": nxt, "answers": answers}, texts.steps[nxt].get(lang), "ask"
    return {**state, "step": None, "answers": answers, "plan": _plan(answers, lang, texts)}, "", "done"


def _read(step: str, answer: str, lang: Language, texts: WizardTexts) -> tuple[Any, bool]:
    """The step's value and whether something required is missing."""
    if step == "company":  # the industry words the client's consequences and needs: asked for too
        parts = [p for p in _PARTS.split(answer, maxsplit=1) if p] if answer else []
        return parts, len(parts) < 2
    if step == "person":
        parts = [p for p in _PARTS.split(answer) if p] if answer else []
        role = _role(answer, lang, texts)
        return {"parts": parts, "role": role}, len(parts) < 2 or role is None
    if step in ("facts", "difficulties"):
        items = [line for line in _LINES.split(answer) if line] if answer else []
        return items, len(items) < (2 if step == "facts" else 1)
    if step == "objection":
        return answer or None, False
    goals = _goals(answer, texts) if answer else []
    return goals, not goals


def _goals(answer: str, texts: WizardTexts) -> list[str]:
    """[highest] or [highest, lowest]: pieces split on "/" or ";" or lines, in that order unless
    labelled ("最低：…" first is still the lowest); nothing without a highest outcome."""
    found: dict[str, str] = {}
    for piece in (p for p in _GOAL.split(answer) if p):
        for kind, words in texts.goal_labels.items():
            label = re.match(_label_pattern(words), piece, re.IGNORECASE)
            if label:
                found[kind] = piece[label.end() :].strip()
                break
        else:
            found.setdefault("highest" if "highest" not in found else "lowest", piece)
    if not found.get("highest"):
        return []
    return [found["highest"], *([found["lowest"]] if found.get("lowest") else [])]


def _label_pattern(words: list[str]) -> str:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return rf"^\s*(?:{alternatives})\s*[:：]?\s*"


def _role(answer: str, lang: Language, texts: WizardTexts) -> str | None:
    lowered = answer.lower()
    for role, words in texts.role_words.items():  # more specific roles come first in the file
        if any(word.lower() in lowered for _, word in words.items()):
            return role
    return None


def _plan(answers: dict[str, Any], lang: Language, texts: WizardTexts) -> dict[str, Any]:
    company = answers["company"]
    person = answers["person"]
    role_words = [w.lower() for _, w in texts.role_words[person["role"]].items()]
    named = [p for p in person["parts"] if p.lower() not in role_words]
    goals = answers["goal"]
    return {
        "lang": lang,
        "company": company[0],
        "industry": company[1],
        "person": {
            "name": named[0] if named else person["parts"][0],
            "title": named[1] if len(named) > 1 else person["parts"][-1],
            "cute_role": person["role"],
        },
        "facts": answers["facts"],
        "difficulties": answers["difficulties"],
        "objection": answers["objection"],
        "goal": {
            "highest": goals[0],
            "lowest": goals[1] if len(goals) > 1 else texts.lowest_default.get(lang),
        },
        "date": texts.date.get(lang),
    }
