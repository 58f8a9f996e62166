"""What a review is made of: the tagged turns of the visit, its metrics and its scorecard."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..dialogue.turn import CheckResult
from ..text import Language

Role = Literal["salesperson", "client"]


@dataclass
class ReviewedTurn:
    """One utterance of the visit with what the review made of it. ``analysis`` is, for the
    salesperson, the analyser's verdicts in the shape of a rehearsal turn's (``Analysis.as_dict``),
    ``lscpa`` null outside an objection; for the client, ``marks``."""

    speaker: str
    role: Role
    text: str
    start: float | None = None
    end: float | None = None
    analysis: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    objection_open: bool = False  # inside the objection span (raised, not yet settled)

    @property
    def is_question(self) -> bool:
        return bool(self.analysis.get("is_question"))

    @property
    def spin(self) -> str | None:
        return self.analysis.get("spin") if self.role == "salesperson" else None

    @property
    def marks(self) -> list[str]:
        return list(self.analysis.get("marks", [])) if self.role == "client" else []

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"speaker": self.speaker, "role": self.role, "text": self.text}
        if self.start is not None:
            data["start"] = self.start
        if self.end is not None:
            data["end"] = self.end
        data.update(analysis=self.analysis, events=self.events, objection_open=self.objection_open)
        return data


@dataclass
class Review:
    language: Language
    salesperson: str
    salesperson_inferred: bool
    speakers: list[str]
    format: str
    turns: list[ReviewedTurn]
    metrics: dict[str, Any]
    checks: list[CheckResult]

    @property
    def score(self) -> int:
        return round(100 * sum(c.passed for c in self.checks) / len(self.checks)) if self.checks else 0

    def scorecard(self) -> dict[str, Any]:
        return {"score": self.score, "language": self.language, "checks": [asdict(c) for c in self.checks]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.language,
            "salesperson": self.salesperson,
            "salesperson_inferred": self.salesperson_inferred,
            "speakers": self.speakers,
            "format": self.format,
            "turns": [turn.to_dict() for turn in self.turns],
            "metrics": self.metrics,
            "scorecard": self.scorecard(),
        }
