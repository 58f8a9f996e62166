"""The state of one rehearsal: plain, serialisable data, persisted by the caller between turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..text import Language
from .turn import plain


@dataclass
class TurnRecord:
    """One message of the transcript with what the engine made of it."""

    role: str  # "salesperson" | "client"
    text: str
    stage: str
    spin: str | None = None
    fabe: list[str] = field(default_factory=list)
    lscpa: str | None = None
    move: str | None = None
    is_question: bool = False
    events: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    """A rehearsal of one scenario. ``state`` is the stage; the rest is what the client has told,
    what the salesperson has done, and the transcript the scorecard is computed from."""

    scenario: str
    language: Language
    seed: int = 0
    difficulty: str = "normal"  # easy | normal | hard
    state: str = "opening"
    turn: int = 0
    facts: list[str] = field(default_factory=list)  # revealed fact ids
    problems: list[str] = field(default_factory=list)  # revealed problem ids
    implications: list[str] = field(default_factory=list)  # problems whose consequences were voiced
    needs: list[str] = field(default_factory=list)  # problems the client voiced a need for
    objection_raised: bool = False
    objection_steps: list[str] = field(default_factory=list)  # LSCPA steps, in order
    objection_resolved: bool = False
    evidence_given: bool = False
    pitch_turns: int = 0
    finished: bool = False
    revealed: list[dict[str, str]] = field(default_factory=list)  # {"kind", "id", "text"}, in order told
    last_unit: str | None = None  # "kind:id" of the unit the client spoke about last (context)
    background_run: int = 0  # situation questions in a row
    transcript: list[TurnRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        data = plain(data)  # nothing shared with the caller's dict
        data["transcript"] = [TurnRecord(**record) for record in data.get("transcript", [])]
        return cls(**data)

    def salesperson_turns(self) -> list[TurnRecord]:
        return [record for record in self.transcript if record.role == "salesperson"]

    def events(self) -> list[str]:
        return [event for record in self.salesperson_turns() for event in record.events]

    @property
    def last_unit_id(self) -> str | None:
        """The id part of ``last_unit`` (a difficulty's id also after its consequences or value)."""
        return self.last_unit.split(":", 1)[1] if self.last_unit else None

    def told(self, kind: str, unit_id: str) -> bool:
        """Whether the client already told this unit (``fact``, ``problem``, ``implication``, ``need``)."""
        return any(item["kind"] == kind and item["id"] == unit_id for item in self.revealed)

    def told_list(self, kind: str) -> list[str]:
        """The list of unit ids of ``kind`` told so far (the scorecard's and the stage logic's view)."""
        return {
            "fact": self.facts,
            "problem": self.problems,
            "implication": self.implications,
            "need": self.needs,
        }[kind]
