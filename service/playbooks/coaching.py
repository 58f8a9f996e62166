"""``playbooks/rehearsal.yaml``: how rehearsals are coached and scored, whatever the scenario —
recognised mistakes, scorecard checks, suggestions per stage, help text and drills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ..datafiles import StrictModel, load_yaml_model
from .cards import Cite
from .frameworks import FRAMEWORK_LABELS, Bilingual, Patterns, TextLists

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


class Check(StrictModel):
    id: Literal[CHECK_IDS]  # type: ignore[valid-type]
    name: Bilingual
    advice: Bilingual
    cites: list[Cite] = Field(min_length=1)
    only_for: str | None = None  # a CUTE role: the check applies to that persona only


class Drill(StrictModel):
    id: Id
    framework: Literal["spin", "lscpa", "fabe"]
    targets: list[str] = Field(min_length=1)
    prompt: Bilingual


LEADS = ("enough_facts", "too_early", "no_problem", "no_implication", "restarted", "finished")


class CoachingPlaybook(StrictModel):
    mistakes: dict[Literal["competitor_attack", "who_is_boss", "arguing"], Mistake]
    notes: dict[Literal["opening", "small_talk"], Note]
    leads: dict[Literal[LEADS], Bilingual]  # type: ignore[valid-type]
    checks: list[Check] = Field(min_length=1)
    suggestions: dict[Literal[STAGES], TextLists]  # type: ignore[valid-type]
    help: Bilingual
    drills: list[Drill] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> CoachingPlaybook:
        for group, required in (
            ("mistakes", ("competitor_attack", "who_is_boss")),
            ("notes", ("opening", "small_talk")),
            ("leads", LEADS),
        ):
            missing = [key for key in required if key not in getattr(self, group)]
            if missing:
                raise ValueError(f"{group}: missing {missing}")
        for drill in self.drills:
            unknown = [t for t in drill.targets if t not in FRAMEWORK_LABELS[drill.framework]]
            if unknown:
                raise ValueError(f"drills: {drill.id} targets unknown {drill.framework} labels {unknown}")
        return self

    def drills_for(self, framework: str) -> list[Drill]:
        return [drill for drill in self.drills if drill.framework == framework]


def load_coaching(playbooks_dir: Path) -> CoachingPlaybook:
    """Load ``rehearsal.yaml``; a broken file raises ``PlaybookError`` naming file and field."""
    return load_yaml_model(playbooks_dir / "rehearsal.yaml", CoachingPlaybook)
