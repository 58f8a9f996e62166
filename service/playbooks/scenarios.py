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

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Difficulty = Literal["easy", "normal", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "normal", "hard")
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
    "argued",  # the salesperson argues or presents before clarifying: digs in
    "competitor_attack",  # the salesperson runs down a competitor
    "who_is_boss",  # the salesperson asks who really decides (fatal with a technical gatekeeper)
    "commitment_yes",  # a concrete next step asked after the objection was handled: agrees
    "commitment_not_yet",  # asked for a commitment too early: deflects
    "small_talk",  # small talk
    "off_topic",  # off-topic remark
    "goodbye",  # closing line at the end of the visit
)
# Kinds a scenario may word in its own voice; otherwise the generic lines of rehearsal.yaml are used.
OPTIONAL_LINE_KINDS = (
    "recap",  # a question about something already told, when the unit has no recap of its own
    "deflect_unknown",  # a question the scenario has no answer to: "I don't know"
    "deflect_not_mine",  # ... that belongs to someone else in the decision chain ({person})
    "deflect_not_yet",  # ... that the client won't share at this stage
    "leading_pushback",  # a leading or presupposing question: the client rejects the premise
    "impatient",  # too many background questions in a row
    "guarded",  # a problem question too vague for this client to admit anything
)


class Persona(StrictModel):
    name: Bilingual
    title: Bilingual  # job title, e.g. 工程部王工 / Mr Wang, head of engineering
    cute_role: CuteRole
    decision_role: DecisionRole
    company: Bilingual
    values: TextLists  # what this buyer values
    style: Bilingual  # how they talk (for writers; shown in the briefing)


class Unit(StrictModel):
    """Something the client can tell. The engine finds the unit a question is about by meaning:
    the question against the unit's ``topic`` and ``asked_by`` examples (keywords are one more signal)."""

    id: Id
    topic: Bilingual  # what it is about (not the answer), one or two lines
    asked_by: TextLists | None = None  # example questions this unit answers
    keywords: TextLists | None = None  # words that tie a question (or a benefit) to this unit
    recap: TextLists | None = None  # said when asked about it again (short, not the reveal again)


class Fact(Unit):
    """A situation fact the client tells when asked a situation question about it."""

    reveal: TextLists  # variants


class Problem(Unit):
    """A hidden difficulty: admitted to a problem question about it, enlarged by an implication
    question, and turned into a voiced need by a need-payoff question."""

    reveal: TextLists
    implication: TextLists
    need: TextLists


class Colleague(StrictModel):
    """Someone else in the client's decision chain, and what they (not this client) answer for."""

    person: Bilingual
    covers: TextLists  # topics, one short line each


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
    difficulty: Difficulty = "normal"  # the default; a rehearsal may choose another
    decision_chain: list[Colleague] = Field(default_factory=list)
    withheld: TextLists | None = None  # topics this client won't share at a first meeting
    off_script: TextLists | None = None  # questions this client has no answer for (near misses)
    # "generated": asked_by and the rest come from templates (a visit plan's scenario), and the
    # grounding settings for such scenarios apply (rehearsal.yaml, grounding_generated)
    grounding: Literal["written", "generated"] = "written"

    @model_validator(mode="after")
    def _all_lines(self) -> Scenario:
        missing = [kind for kind in LINE_KINDS if kind not in self.lines]
        allowed = (*LINE_KINDS, *OPTIONAL_LINE_KINDS)
        unknown = [kind for kind in self.lines if kind not in allowed]
        if missing:
            raise ValueError(f"lines: missing {missing}")
        if unknown:
            raise ValueError(f"lines: unknown kinds {unknown} (allowed: {list(allowed)})")
        ids = [unit.id for unit in self.units()]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"facts/problems: duplicate id(s) {repeated}")
        for kind, texts in self.lines.items():
            if kind == "deflect_not_mine" and any("{person}" not in t for _, t in texts.items()):
                raise ValueError("lines.deflect_not_mine: every variant needs the {person} placeholder")
        return self

    def units(self) -> list[Fact | Problem]:
        """Facts then problems, in file order."""
        return [*self.facts, *self.problems]

    def line(self, kind: str) -> TextLists | None:
        """The scenario's own variants of a kind of line (None for an optional kind it doesn't word)."""
        return self.lines.get(kind)


def load_scenarios(playbooks_dir: Path) -> dict[str, Scenario]:
    """Load and validate every scenario; ids must match file names."""
    return load_yaml_folder(playbooks_dir / "scenarios", Scenario)
