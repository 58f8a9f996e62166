"""The planning templates (``playbooks/planning/*.yaml``), validated like every playbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from ..datafiles import StrictModel, load_yaml_model
from ..playbooks.frameworks import Bilingual, Patterns, TextLists
from ..playbooks.scenarios import LINE_KINDS, CuteRole, DecisionRole

SPIN_KINDS = ("situation", "problem", "implication", "need_payoff")
LSCPA_STEPS = ("listen", "share", "clarify", "present", "ask")
FABE_PARTS = ("feature", "advantage", "benefit", "evidence")
ObjectionKind = Literal["price", "time", "risk", "competitor", "authority", "change", "doubt"]


class QuestionTemplates(StrictModel):
    situation: TextLists
    problem: TextLists
    implication: TextLists
    need_payoff: TextLists


class RoleTemplate(StrictModel):
    card: str
    decision_role: DecisionRole
    names: Bilingual
    style: Bilingual
    values: TextLists
    implication: TextLists
    need: TextLists
    concern: Bilingual


class RoleTemplates(StrictModel):
    coach: RoleTemplate
    user: RoleTemplate
    technical_gatekeeper: RoleTemplate
    economic_buyer: RoleTemplate

    def of(self, role: CuteRole) -> RoleTemplate:
        return getattr(self, role)  # type: ignore[no-any-return]


class Lscpa(StrictModel):
    listen: Bilingual
    share: Bilingual
    clarify: Bilingual
    present: Bilingual
    ask: Bilingual


class Fabe(StrictModel):
    feature: Bilingual
    advantage: Bilingual
    benefit: Bilingual
    evidence: Bilingual


class PlanTemplates(StrictModel):
    objection_kinds: dict[ObjectionKind, TextLists]
    real_concern: dict[ObjectionKind, Bilingual]
    resolved: TextLists
    default_objection: Bilingual
    lscpa: Lscpa
    concern_hints: dict[ObjectionKind, Bilingual]
    fabe: Fabe
    next_step: Bilingual
    headings: dict[str, Bilingual]
    advice_sections: dict[Literal["cares", "give", "avoid"], str]
    plan_card: str
    check_questions: bool


class ScenarioTemplates(StrictModel):
    title: Bilingual
    briefing: Bilingual
    fact_asked_by: TextLists
    fact_clause: Bilingual
    fact_phrase: TextLists
    fact_recap: TextLists
    problem_asked_by: TextLists
    problem_clause: Bilingual
    problem_phrase: TextLists
    problem_recap: TextLists
    commitment_cues: Patterns
    success: TextLists
    lines: dict[str, TextLists]

    @model_validator(mode="after")
    def _all_lines(self) -> ScenarioTemplates:
        missing = [kind for kind in LINE_KINDS if kind not in self.lines]
        if missing:
            raise ValueError(f"lines: missing {missing}")
        return self


class QuestionType(StrictModel):
    cues: TextLists
    questions: TextLists
    # questions that would be asked of anything (a size, a system): in the plan's language only
    # those tied to one of the fact's phrases ({phrase}); the others only in the other language
    anchored: bool = False


class QuestionTypes(StrictModel):
    facts: dict[str, QuestionType]
    problems: dict[str, QuestionType]


@dataclass(frozen=True)
class PlanningTemplates:
    questions: QuestionTemplates
    roles: RoleTemplates
    plan: PlanTemplates
    scenario: ScenarioTemplates
    types: QuestionTypes


def load_planning(playbooks_dir: Path) -> PlanningTemplates:
    folder = playbooks_dir / "planning"
    return PlanningTemplates(
        questions=load_yaml_model(folder / "questions.yaml", QuestionTemplates),
        roles=load_yaml_model(folder / "roles.yaml", RoleTemplates),
        plan=load_yaml_model(folder / "plan.yaml", PlanTemplates),
        scenario=load_yaml_model(folder / "scenario.yaml", ScenarioTemplates),
        types=load_yaml_model(folder / "question_types.yaml", QuestionTypes),
    )
