"""What every turn returns, as plain data reused by every front end (web, API, terminal, messengers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..retrieval.passage import Passage
from ..text import Language


@dataclass(frozen=True)
class CitationData:
    """A handbook passage behind a note: the original Chinese and, beside it, its English."""

    text: str
    doc: str
    doc_id: str
    section: str
    passage_id: str
    text_en: str = ""
    doc_en: str = ""
    section_en: str = ""

    @classmethod
    def of(cls, passage: Passage) -> CitationData:
        return cls(
            passage.text, passage.doc_title, passage.doc_id, passage.section, passage.id,
            passage.text_en, passage.doc_title_en, passage.section_en,
        )  # fmt: skip


@dataclass(frozen=True)
class CoachNote:
    text: str
    citations: list[CitationData] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    id: str
    name: str
    passed: bool
    evidence: str
    advice: str | None = None  # for a missed check: what to do instead
    citations: list[CitationData] = field(default_factory=list)
    # for a missed check: the drill that practises it, its framework, and the web page's link to it
    drill: str | None = None
    drill_framework: str | None = None
    practise: str | None = None
    turn: int | None = None  # reviews: the index of the turn the evidence quotes


@dataclass(frozen=True)
class LearnedUnit:
    """Something the client told (or, in a scorecard's ``missed``, never told) during a rehearsal."""

    kind: str  # fact | problem | implication | need
    id: str
    text: str  # what the client said (learned) or what it is about (missed)
    question: str | None = None  # missed only: the kind of question that would have found it


@dataclass(frozen=True)
class Scorecard:
    score: int
    checks: list[CheckResult]
    question_counts: dict[str, int]
    talk_ratio: float  # share of characters typed by the salesperson
    turns: int
    language: Language
    learned: list[LearnedUnit] = field(default_factory=list)
    missed: list[LearnedUnit] = field(default_factory=list)


@dataclass(frozen=True)
class TurnReply:
    """One turn: the client's reply, the analysis of what the salesperson said, the stage, the
    coach's note with handbook citations, what to try next, and (at the end) the scorecard."""

    language: Language
    stage: str
    client: str | None
    coach: CoachNote | None
    suggestions: list[str]
    analysis: dict[str, Any] | None = None
    events: list[str] = field(default_factory=list)
    scorecard: Scorecard | None = None
    done: bool = False
    command: str | None = None
    prompt: str | None = None  # drills: the exercise to answer next
    revealed: list[LearnedUnit] = field(default_factory=list)  # what this turn newly uncovered
    difficulty: str | None = None  # rehearsals: easy | normal | hard

    def to_dict(self) -> dict[str, Any]:
        return plain(self)


def plain(value: Any) -> Any:
    """Dataclasses, lists and dicts as fresh plain data (``dataclasses.asdict`` without its deep
    copies of every string: a turn's reply is converted on every message)."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
