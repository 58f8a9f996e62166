"""Single-framework drills: write one SPIN question, LSCPA step or FABE pitch to order, get judged.

Each answer is classified by the analyser against the drill's target labels; the feedback names
what the answer was, what was asked for, and cites the handbook.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..playbooks.coaching import Drill
from ..text import Language
from .analyser import UtteranceAnalyser
from .coach import Coach
from .turn import CoachNote, TurnReply


@dataclass
class DrillState:
    """Where a drill session is; plain data, persisted by the caller."""

    framework: str
    language: Language
    order: list[str] = field(default_factory=list)  # drill ids, shuffled per session
    position: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DrillState:
        return cls(**data)


class DrillEngine:
    def __init__(self, analyser: UtteranceAnalyser, coach: Coach) -> None:
        self.analyser = analyser
        self.coach = coach

    @property
    def frameworks(self) -> list[str]:
        """The frameworks that have drills."""
        return [name for name in self.coach.frameworks.names if self.coach.coaching.drills_for(name)]

    def _drills(self, framework: str) -> dict[str, Drill]:
        if framework not in self.frameworks:
            raise InvalidInput(f"unknown framework {framework!r}: use one of {', '.join(self.frameworks)}")
        return {drill.id: drill for drill in self.coach.coaching.drills_for(framework)}

    def start(
        self, framework: str, language: Language, seed: int | None = None
    ) -> tuple[DrillState, TurnReply]:
        order = list(self._drills(framework))
        random.Random(seed).shuffle(order)
        state = DrillState(framework=framework, language=language, order=order)
        intro = self.coach.framework(framework).summary.get(language)
        return state, self._reply(state, CoachNote(intro), prompt=self._prompt(state))

    def _prompt(self, state: DrillState) -> str | None:
        if state.position >= len(state.order):
            return None
        return self._drills(state.framework)[state.order[state.position]].prompt.get(state.language)

    def _reply(
        self, state: DrillState, note: CoachNote | None, prompt: str | None, **extra: Any
    ) -> TurnReply:
        return TurnReply(
            language=state.language, stage=f"drill:{state.framework}", client=None, coach=note,
            suggestions=[], prompt=prompt, done=state.finished, **extra,
        )  # fmt: skip

    def reply(self, state: DrillState, text: str) -> TurnReply:
        """Judge one answer and move to the next drill (or finish with a summary)."""
        command = self.analyser.commands.match(text)
        if command:
            return self._command(state, command)
        if state.finished:
            return self._reply(state, CoachNote(self._summary(state)), None)
        drill = self._drills(state.framework)[state.order[state.position]]
        result = self.analyser.classify(text, state.framework)
        got = set(result.labels)
        passed = set(drill.targets) <= got
        state.results.append({"drill": drill.id, "text": text, "labels": sorted(got), "passed": passed})
        note = self._feedback(drill, got, passed, state.language)
        state.position += 1
        state.finished = state.position >= len(state.order)
        prompt = self._prompt(state)
        if state.finished:
            note = CoachNote(f"{note.text}\n\n{self._summary(state)}", note.citations)
        analysis = {"framework": state.framework, "labels": sorted(got), "unsure": result.unsure}
        return self._reply(state, note, prompt, analysis=analysis, events=["passed" if passed else "missed"])

    def _feedback(self, drill: Drill, got: set[str], passed: bool, language: Language) -> CoachNote:
        framework = self.coach.framework(drill.framework)

        def names(labels: set[str] | list[str]) -> str:
            joiner = "、" if language == "zh" else " + "
            return joiner.join(framework.part(label).names.get(language) for label in sorted(labels))

        target = drill.targets[-1]
        part_note = self.coach.part_note(drill.framework, target, language)
        if passed:
            lead = f"✓ 正确：这是{names(got)}。" if language == "zh" else f"✓ Yes — that's {names(got)}. "
        else:
            lead = (
                f"✗ 这更像是{names(got)}，题目要的是{names(drill.targets)}。"
                if language == "zh"
                else f"✗ That reads as {names(got)}; the drill asked for {names(drill.targets)}. "
            )
        return CoachNote(lead + part_note.text, part_note.citations)

    def _summary(self, state: DrillState) -> str:
        passed = sum(r["passed"] for r in state.results)
        total = len(state.results)
        if state.language == "zh":
            return f"练习完成：{total} 题中答对 {passed} 题。"
        return f"Drill finished: {passed} of {total} right."

    def _command(self, state: DrillState, command: str) -> TurnReply:
        language = state.language
        if command == "restart":
            fresh, reply = self.start(state.framework, language)
            state.__dict__.update(fresh.__dict__)
            return reply
        if command in ("quit", "score"):
            state.finished = state.finished or command == "quit"
            return self._reply(state, CoachNote(self._summary(state)), None, command=command)
        if command == "hint" and not state.finished:
            drill = self._drills(state.framework)[state.order[state.position]]
            part = self.coach.framework(state.framework).part(drill.targets[-1])
            return self._reply(
                state, CoachNote(part.purpose.get(language)), self._prompt(state), command=command
            )
        return self._reply(
            state, CoachNote(self.coach.coaching.help.get(language)), self._prompt(state), command=command
        )
