"""The review playbook (``playbooks/review.yaml``): client-turn marks, next-step cues, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from ..datafiles import StrictModel, load_yaml_model
from .frameworks import Patterns, TextLists

REVIEW_FILE = "review.yaml"
MARKS = ("difficulty", "consequence", "need", "objection", "agreement")


class ReviewAnalyserSettings(StrictModel):
    k: int = Field(3, ge=1)
    margin: float
    gap: float = Field(ge=0)
    cue_bonus: float = Field(ge=0)
    benefit_tie_similarity: dict[Literal["zh", "en"], float]


class Mark(StrictModel):
    cues: Patterns = Patterns()
    examples: TextLists


class Neutral(StrictModel):
    examples: TextLists


class Marks(StrictModel):
    difficulty: Mark
    consequence: Mark
    need: Mark
    objection: Mark
    agreement: Mark
    neutral: Neutral

    def by_name(self) -> dict[str, Mark]:
        return {name: getattr(self, name) for name in MARKS}


class NextStepCues(StrictModel):
    time: Patterns
    people: Patterns
    action: Patterns
    contrast: Patterns
    refusal: Patterns
    counter: Patterns  # another time offered back: "周三不行，周四下午可以吗？"
    confirm: Patterns  # an acceptance that holds after questions: "那就下周四", "see you then"


class ReviewPlaybook(StrictModel):
    analyser: ReviewAnalyserSettings
    marks: Marks
    next_step: NextStepCues
    salesperson_cues: Patterns = Patterns()
    skip_checks: list[str] = Field(default_factory=list)
    evidence_events: dict[str, list[str]] = Field(default_factory=dict)


def load_review(playbooks_dir: Path) -> ReviewPlaybook:
    """Load ``review.yaml``; a broken file raises ``PlaybookError`` naming file and field."""
    return load_yaml_model(playbooks_dir / REVIEW_FILE, ReviewPlaybook)
