"""``playbooks/rehearsal.yaml``: how rehearsals are coached and scored, whatever the scenario —
recognised mistakes, scorecard checks, suggestions per stage, help text and drills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ..datafiles import StrictModel, load_yaml_model
from ..errors import PlaybookError
from .cards import Cite
from .frameworks import Bilingual, FrameworkId, Frameworks, Patterns, TextLists

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
STAGES = (
    "opening", "situation", "problem", "implication", "need_payoff", "pitch", "objection", "commitment", "debrief",
)  # fmt: skip
CHECK_IDS = (
    "implication_before_pitch", "need_before_pitch", "benefits_tied", "clarify_before_present",
    "asked_commitment", "no_competitor_attack", "no_boss_question",
)  # fmt: skip


class Note(StrictModel):
    note: Bilingual
    cites: list[Cite] = Field(min_length=1)


class Mistake(Note):
    cues: Patterns
    only_for: str | None = None  # a CUTE role: a mistake with that persona only


class Check(StrictModel):
    id: Literal[CHECK_IDS]  # type: ignore[valid-type]
    name: Bilingual
    advice: Bilingual
    cites: list[Cite] = Field(min_length=1)
    only_for: str | None = None  # a CUTE role: the check applies to that persona only
    drill: str | None = None  # the drill (id) that practises what a miss of this check lacks


class Drill(StrictModel):
    id: Id
    framework: FrameworkId
    targets: list[str] = Field(min_length=1)
    prompt: Bilingual


LEADS = (
    "enough_facts", "too_early", "no_problem", "not_admitted", "no_implication", "restarted", "finished", "off_script",
)  # fmt: skip
MISTAKES = ("competitor_attack", "who_is_boss", "arguing", "leading_question")
NOTES = ("opening", "small_talk", "recap", "impatient")


class PerLanguage(StrictModel):
    zh: float = Field(ge=0, le=3)
    en: float = Field(ge=0, le=3)


class GroundingSettings(StrictModel):
    """How a question is tied to a scenario's units (cosines of multilingual-e5-small embeddings).
    A unit's score is ``ask_weight·ask + answer_weight·answer + words_weight·words +
    readout_weight·readout`` (+ a keyword bonus); the best unit is the one asked about when its score, less ``novel_penalty`` times the
    share of the question's words the scenario never uses, reaches ``unit_floor``."""

    ask_k: int = Field(default=1, ge=1, le=5)  # a unit's "ask" is the mean of its k closest texts
    ask_weight: float = Field(ge=0, le=2)
    answer_weight: float = Field(ge=0, le=2)
    words_weight: float = Field(ge=0, le=1)
    readout_weight: float = Field(default=0.0, ge=0, le=1)  # the scenario read-out's probability (readout.py)
    keyword_bonus: float = Field(ge=0, le=0.2)  # a unit keyword in the question adds this
    novel_penalty: float = Field(ge=0, le=1)
    novel_min: int = Field(default=2, ge=1)  # fewer novel words than this carry no penalty
    unit_floor: PerLanguage  # the question's language: English similarities run lower
    off_script_margin: float = Field(ge=-1, le=1)  # an off-script example this close to the best unit's wins
    generic_floor: float = Field(ge=0, le=1)  # a generic question must be at least this close ...
    generic_margin: float = Field(ge=-1, le=1)  # ... and this much closer than the best unit's questions
    aside_floor: float = Field(ge=0, le=1)  # a colleague's area or a withheld topic at least this close ...
    aside_margin: float = Field(ge=-1, le=1)  # ... and this much closer than the best unit's questions
    open_problem_floor: float = Field(
        ge=0, le=3
    )  # an open problem question: a difficulty scoring this is named
    filler: TextLists  # words of asking that say nothing about what is asked ("冒昧问一下", "just so I understand")


class GeneratedGrounding(StrictModel):
    """What differs for a scenario whose examples were generated from templates (a visit plan's):
    few examples and a small vocabulary, so a question's own words are mostly new to it."""

    answer_weight: float = Field(ge=0, le=2)  # the units' own lines answer a question: count it
    novel_penalty: float = Field(ge=0, le=1)
    unit_floor: PerLanguage
    # many templated examples per unit bring a unit closer to any question than a hand-written
    # scenario's few: an off-script question needs less of a lead (None: as for every scenario)
    off_script_margin: float | None = Field(default=None, ge=-1, le=1)


class DifficultySettings(StrictModel):
    """How hard the client is to work with."""

    names: Bilingual
    patience: int = Field(ge=1, le=20)  # background questions in a row before the client gets impatient
    open_admits: bool  # an open problem question (no topic) gets a difficulty admitted
    need_needs_implication: bool  # a need is voiced only once the consequences were explored
    admits_without_facts: bool  # a difficulty is admitted before any situation question


class CoachingPlaybook(StrictModel):
    mistakes: dict[Literal[MISTAKES], Mistake]  # type: ignore[valid-type]
    notes: dict[Literal[NOTES], Note]  # type: ignore[valid-type]
    leads: dict[Literal[LEADS], Bilingual]  # type: ignore[valid-type]
    checks: list[Check] = Field(min_length=1)
    # per stage, plus "agenda_stated": the opening once the salesperson has said why he came
    suggestions: dict[Literal[(*STAGES, "agenda_stated")], TextLists]  # type: ignore[valid-type]
    help: Bilingual
    drills: list[Drill] = Field(min_length=1)
    grounding: GroundingSettings
    grounding_generated: GeneratedGrounding  # for scenarios with `grounding: generated`
    generic_questions: dict[Literal["situation", "problem", "implication", "need_payoff"], TextLists]
    difficulties: dict[Literal["easy", "normal", "hard"], DifficultySettings]
    client_lines: dict[str, TextLists]  # generic wording of the optional client line kinds
    off_script_questions: TextLists  # questions a rehearsal client has no answer for, any scenario
    # how an opening asks for leave rather than for a fact ("…，您看可以吗？", "…, is that OK?")
    asks_leave: Patterns = Field(default_factory=Patterns)
    refers_back: Patterns = Field(default_factory=Patterns)  # "that" / "这个": the difficulty just discussed
    proposes: Patterns = Field(default_factory=Patterns)  # "我们下周二过来…，您看行吗？": a step offered

    @model_validator(mode="after")
    def _complete(self) -> CoachingPlaybook:
        from .scenarios import OPTIONAL_LINE_KINDS

        for group, required in (
            ("mistakes", MISTAKES),
            ("notes", NOTES),
            ("leads", LEADS),
            ("difficulties", ("easy", "normal", "hard")),
            ("generic_questions", ("situation", "problem", "implication", "need_payoff")),
            ("client_lines", OPTIONAL_LINE_KINDS),
        ):
            missing = [key for key in required if key not in getattr(self, group)]
            if missing:
                raise ValueError(f"{group}: missing {missing}")
        return self

    def check_against(self, frameworks: Frameworks) -> list[str]:
        """Problems with the drills' frameworks and targets (they live in another file)."""
        problems = []
        ids = {drill.id for drill in self.drills}
        problems += [
            f"checks: {check.id} names unknown drill {check.drill!r}"
            for check in self.checks
            if check.drill is not None and check.drill not in ids
        ]
        for drill in self.drills:
            if drill.framework not in frameworks.coaching:
                problems.append(f"drills: {drill.id} names unknown framework {drill.framework!r}")
                continue
            unknown = [t for t in drill.targets if t not in frameworks.coaching[drill.framework].labels]
            if unknown:
                problems.append(f"drills: {drill.id} targets unknown {drill.framework} labels {unknown}")
        return problems

    def drills_for(self, framework: str) -> list[Drill]:
        return [drill for drill in self.drills if drill.framework == framework]


def load_coaching(playbooks_dir: Path, frameworks: Frameworks | None = None) -> CoachingPlaybook:
    """Load ``rehearsal.yaml``; a broken file raises ``PlaybookError`` naming file and field (the
    drills are checked against ``frameworks`` when given)."""
    path = playbooks_dir / "rehearsal.yaml"
    playbook = load_yaml_model(path, CoachingPlaybook)
    problems = playbook.check_against(frameworks) if frameworks is not None else []
    if problems:
        raise PlaybookError(path, problems[0])
    return playbook
