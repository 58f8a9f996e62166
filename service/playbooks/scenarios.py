"""Rehearsal scenarios (``playbooks/scenarios/*.yaml``): a client persona, what it knows and hides,
how it talks at each stage of a visit, and what counts as success.

The engine (``service/dialogue/rehearsal.py``) reads these; adding a scenario is a data change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ..datafiles import StrictModel, load_yaml_folder
from .frameworks import Bilingual, Patterns, TextLists

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
CuteRole = Literal["coach", "user", "technical_gatekeeper", "economic_buyer"]
DecisionRole = Literal["decision_maker", "influencer", "gatekeeper", "user", "purchaser"]

# Every scenario must give the client something to say in each of these situations.
LINE_KINDS = (
    "greeting",  # answer to the salesperson's greeting / opening
    "agenda_ok",  # accepts the agenda or positioning statement
    "vague",  # a question of the wrong kind for the moment: polite, vague answer
    "more_facts",  # situation question when every fact is already out: mild impatience
    "pitch_too_early",  # a pitch before any need was voiced
    "bare_feature",  # a feature with no benefit: shrug
    "benefit_tied",  # a benefit tied to a need the client voiced: warms up
    "benefit_untied",  # a benefit for a need the client never voiced: unconvinced
    "ask_evidence",  # after a claim without proof: asks for evidence
    "evidence_ok",  # after evidence: satisfied
    "listened",  # the salesperson listens / empathises during the objection
    "clarified",  # a clarifying question during the objection: explains the real concern
    "argued",  # the salesperson argues or presents before clarifying: digs in
    "competitor_attack",  # the salesperson runs down a competitor
    "who_is_boss",  # the salesperson asks who really decides (fatal with a technical gatekeeper)
    "commitment_yes",  # a concrete next step asked after the objection was handled: agrees
    "commitment_not_yet",  # asked for a commitment too early: deflects
    "small_talk",  # small talk
    "off_topic",  # off-topic remark
    "goodbye",  # closing line at the end of the visit
)


class Persona(StrictModel):
    name: Bilingual
    title: Bilingual  # job title, e.g. 工程部王工 / Mr Wang, head of engineering
    cute_role: CuteRole
    decision_role: DecisionRole
    company: Bilingual
    values: TextLists  # what this buyer values
    style: Bilingual  # how they talk (for writers; shown in the briefing)


class Fact(StrictModel):
    """Situation facts the client reveals when asked situation questions."""

    id: Id
    reveal: TextLists  # variants


class Problem(StrictModel):
    """A hidden difficulty: revealed by a problem question, enlarged by an implication question,
    and turned into a voiced need by a need-payoff question."""

    id: Id
    keywords: TextLists  # words that tie a question or a benefit to this problem
    reveal: TextLists
    implication: TextLists
    need: TextLists


class Objection(StrictModel):
    kind: Literal["price", "time", "risk", "competitor", "authority", "change", "doubt"]
    raise_: TextLists = Field(alias="raise")  # how the client raises it (variants)
    real_concern: TextLists  # what a clarifying question uncovers
    resolved: TextLists  # what the client says once it was clarified and answered


class Commitment(StrictModel):
    """What earns a concrete next step from this buyer."""

    next_step: Bilingual  # e.g. a technical exchange with the design institute next week
    cues: Patterns  # what a concrete next-step request looks like (dates, meetings, trials …)


class Scenario(StrictModel):
    id: Id
    title: Bilingual
    source: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]  # the handbook it is drawn from
    briefing: Bilingual  # what the salesperson knows before the visit
    persona: Persona
    facts: list[Fact] = Field(min_length=2)
    problems: list[Problem] = Field(min_length=1)
    objection: Objection
    commitment: Commitment
    lines: dict[str, TextLists]
    success: TextLists  # success criteria, shown in the debrief

    @model_validator(mode="after")
    def _all_lines(self) -> Scenario:
        missing = [kind for kind in LINE_KINDS if kind not in self.lines]
        unknown = [kind for kind in self.lines if kind not in LINE_KINDS]
        if missing:
            raise ValueError(f"lines: missing {missing}")
        if unknown:
            raise ValueError(f"lines: unknown kinds {unknown} (allowed: {list(LINE_KINDS)})")
        return self

    def line(self, kind: str) -> TextLists:
        return self.lines[kind]


def load_scenarios(playbooks_dir: Path) -> dict[str, Scenario]:
    """Load and validate every scenario; ids must match file names."""
    return load_yaml_folder(playbooks_dir / "scenarios", Scenario)
