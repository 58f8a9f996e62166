"""The rehearsal engine: the bot plays the scenario's client and a coach comments on every turn.

``start`` opens a conversation, ``reply`` takes one salesperson message and returns a ``TurnReply``;
the ``Conversation`` is plain data the caller persists between turns (nothing lives in memory).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from ..errors import InvalidInput
from ..playbooks.scenarios import Problem, Scenario
from ..text import Language
from .analyser import Analysis, UtteranceAnalyser
from .coach import Coach
from .conversation import Conversation, TurnRecord
from .scorecard import build_scorecard
from .stages import SPIN_STAGES, StageMachine
from .turn import CoachNote, TurnReply

PITCH_TURNS_BEFORE_OBJECTION = 3


@dataclass
class _Turn:
    """What one message did: the client's line kinds, events for the scorecard, the coach's note."""

    lines: list[str] = field(default_factory=list)  # rendered client sentences
    events: list[str] = field(default_factory=list)
    note: CoachNote | None = None


class RehearsalEngine:
    """Plays the client of a scenario; judges every message with the analyser and the playbooks."""

    def __init__(self, scenarios: dict[str, Scenario], analyser: UtteranceAnalyser, coach: Coach) -> None:
        self.scenarios = scenarios
        self.analyser = analyser
        self.coach = coach
        self.stages = StageMachine()
        self._mistakes = {
            name: {lang: [re.compile(p, re.IGNORECASE) for p in m.cues.get(lang)] for lang in ("zh", "en")}
            for name, m in coach.coaching.mistakes.items()
        }
        self._commitment = {
            sid: {
                lang: [re.compile(p, re.IGNORECASE) for p in s.commitment.cues.get(lang)]
                for lang in ("zh", "en")
            }
            for sid, s in scenarios.items()
        }

    # -- conversation lifecycle ---------------------------------------------------------------
    def scenario(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.scenarios:
            raise InvalidInput(
                f"unknown scenario {scenario_id!r}: choose one of {', '.join(sorted(self.scenarios))}"
            )
        return self.scenarios[scenario_id]

    def start(
        self, scenario_id: str, language: Language, seed: int | None = None
    ) -> tuple[Conversation, TurnReply]:
        """A new conversation and the opening reply: the briefing and what to try first."""
        scenario = self.scenario(scenario_id)
        conversation = Conversation(
            scenario=scenario_id, language=language, seed=seed or random.randrange(1 << 30)
        )
        persona = scenario.persona
        briefing = f"{scenario.briefing.get(language)}\n{persona.title.get(language)} · {persona.company.get(language)}"
        return conversation, TurnReply(
            language=language,
            stage=conversation.state,
            client=None,
            coach=CoachNote(f"{briefing}\n\n{self.coach.coaching.help.get(language)}"),
            suggestions=self.coach.suggestions("opening", language),
        )

    def reply(self, conversation: Conversation, text: str) -> TurnReply:
        """Take one salesperson message; the conversation is updated in place."""
        scenario = self.scenario(conversation.scenario)
        analysis = self.analyser.analyse(text)
        language = analysis.language if len(text.strip()) > 3 else conversation.language
        if analysis.move.command:  # commands answer in the conversation's language
            return self._command(conversation, scenario, analysis.move.label or "help", conversation.language)
        if conversation.finished:  # nothing more is applied; answer in the session's language
            return self._finished(conversation, conversation.language)
        conversation.turn += 1
        turn = self._respond(conversation, scenario, analysis, text, language)
        conversation.transcript.append(self._record(analysis, conversation.state, turn.events))
        client = " ".join(turn.lines)
        conversation.transcript.append(TurnRecord(role="client", text=client, stage=conversation.state))
        scorecard = None
        if conversation.state == "debrief":
            conversation.finished = True
            scorecard = build_scorecard(conversation, scenario, self.coach)
        return TurnReply(
            language=language,
            stage=conversation.state,
            client=client,
            coach=turn.note,
            suggestions=self.coach.suggestions(conversation.state, language),
            analysis=_analysis_dict(analysis),
            events=turn.events,
            scorecard=scorecard,
            done=conversation.finished,
        )

    # -- the client's side ------------------------------------------------------------------------
    def _respond(
        self, conv: Conversation, scenario: Scenario, analysis: Analysis, text: str, language: Language
    ) -> _Turn:
        turn = _Turn()
        say = _Sayer(scenario, conv, language, turn)
        mistake = self._mistake(conv, text, language)
        if mistake == "arguing":
            conv.objection_steps.append("present")
            turn.events += ["lscpa:present", "argued"]
            say("argued")
            turn.note = self.coach.note(mistake, language)
            return turn
        if mistake:
            turn.events.append(mistake)
            say(mistake)
            turn.note = self.coach.note(mistake, language)
            return turn
        if self._asks_commitment(conv, analysis, text, language):
            self._commitment_turn(conv, say, turn, language)
        elif conv.state in ("objection", "commitment"):
            self._objection_turn(conv, analysis, say, turn, language)
        elif analysis.is_question and analysis.spin.label in SPIN_STAGES:
            self._spin_turn(conv, scenario, analysis, text, say, turn, language)
        elif analysis.move.label == "pitch" or (
            not analysis.is_question
            and analysis.fabe.confidence >= 0.5
            and analysis.move.label not in {"greeting", "agenda", "positioning", "small_talk"}
        ):
            self._pitch_turn(conv, scenario, analysis, text, say, turn, language)
        else:
            self._other_turn(conv, analysis, say, turn, language)
        return turn

    def _mistake(self, conv: Conversation, text: str, language: Language) -> str | None:
        """A recognised mistake in the message; rebutting counts only before the objection is clarified."""
        for name, cues in self._mistakes.items():
            if name == "arguing" and (conv.state != "objection" or "clarify" in conv.objection_steps):
                continue
            if any(pattern.search(text) for pattern in cues[language]):
                return name
        return None

    def _asks_commitment(self, conv: Conversation, analysis: Analysis, text: str, language: Language) -> bool:
        concrete = any(p.search(text) for p in self._commitment[conv.scenario][language])
        asking = analysis.move.label == "ask_commitment" or (
            conv.objection_raised and analysis.lscpa.label == "ask"
        )
        return asking and concrete

    def _spin_turn(self, conv, scenario, analysis, text, say, turn, language) -> None:
        label = analysis.spin.label
        turn.events.append(f"question:{label}")
        problem = _problem_named(scenario, text)
        if label == "situation":
            fact = next((f for f in scenario.facts if f.id not in conv.facts), None)
            if fact is None:
                self._untimely(say, turn, "situation", "enough_facts", language, line="more_facts")
                return
            conv.facts.append(fact.id)
            say.variant(fact.reveal)
        elif label == "problem":
            if not conv.facts:
                self._untimely(say, turn, "problem", "too_early", language, line="vague")
                return
            candidates = [p for p in scenario.problems if p.id not in conv.problems]
            chosen = (
                problem
                if problem and problem.id not in conv.problems
                else (candidates[0] if candidates else None)
            )
            if chosen is None:
                say("more_facts")
                return
            conv.problems.append(chosen.id)
            say.variant(chosen.reveal)
        elif label == "implication":
            # a second implication question on the same difficulty deepens it: that counts too
            target = _target(scenario, conv.problems, conv.implications, problem) or _latest(
                scenario, conv.problems, problem
            )
            if target is None:
                self._untimely(say, turn, "implication", "no_problem", language, line="vague")
                return
            if target.id not in conv.implications:
                conv.implications.append(target.id)
            say.variant(target.implication)
        else:  # need_payoff
            target = _target(scenario, conv.implications, conv.needs, problem)
            if target is None:
                self._untimely(say, turn, "need_payoff", "no_implication", language, line="vague")
                return
            conv.needs.append(target.id)
            say.variant(target.need)
        self.stages.advance(conv, f"to_{label}")
        turn.note = self.coach.part_note("spin", label, language, conv.turn)

    def _untimely(self, say, turn, label: str, lead: str, language: Language, line: str = "vague") -> None:
        """A SPIN question that does not fit the moment: the client's vague line, and the coach says
        why and when that kind of question works."""
        say(line)
        turn.note = self.coach.timing_note("spin", label, language, self.coach.lead(lead, language))

    def _pitch_turn(self, conv, scenario, analysis, text, say, turn, language) -> None:
        turn.events.append("pitch")
        conv.pitch_turns += 1
        if not conv.needs:
            turn.events.append("pitch_before_need")
            say("pitch_too_early")
            turn.note = self.coach.check_note("need_before_pitch", language)
        else:
            # element by element only when it matters: before a need is voiced, any pitch is too early
            labels = self.analyser.fabe_elements(text, analysis.fabe)
            self.stages.advance(conv, "to_pitch")
            needs = [p for p in scenario.problems if p.id in conv.needs]
            if "benefit" in labels:
                tied = _problem_named(scenario, text, needs) is not None
                turn.events.append("benefit_tied" if tied else "benefit_untied")
                say("benefit_tied" if tied else "benefit_untied")
                turn.note = (
                    self.coach.part_note("fabe", "benefit", language)
                    if tied
                    else self.coach.check_note("benefits_tied", language)
                )
            elif "evidence" not in labels:
                say("bare_feature")
                turn.note = self.coach.part_note("fabe", "feature", language)
            if "evidence" in labels:
                conv.evidence_given = True
                turn.events.append("evidence")
                say("evidence_ok")
                turn.note = turn.note or self.coach.part_note("fabe", "evidence", language)
            elif "benefit_tied" in turn.events:
                say("ask_evidence")
        ready = conv.evidence_given and "benefit_tied" in conv.events() + turn.events
        if ready or conv.pitch_turns >= PITCH_TURNS_BEFORE_OBJECTION:
            self._raise_objection(conv, say, turn)

    def _raise_objection(self, conv, say, turn) -> None:
        if self.stages.advance(conv, "to_objection"):
            conv.objection_raised = True
            turn.events.append("objection_raised")
            say.variant(say.scenario.objection.raise_)

    def _objection_turn(self, conv, analysis, say, turn, language) -> None:
        step = analysis.lscpa.label or "listen"
        conv.objection_steps.append(step)
        turn.events.append(f"lscpa:{step}")
        objection = say.scenario.objection
        if step in ("listen", "share"):
            say("listened")
        elif step == "clarify":
            say.variant(objection.real_concern)
        elif step == "present" and "clarify" not in conv.objection_steps:
            turn.events.append("argued")
            say("argued")
            turn.note = self.coach.check_note("clarify_before_present", language)
            return
        elif step == "present":
            conv.objection_resolved = True
            say.variant(objection.resolved)
            self.stages.advance(conv, "to_commitment")
        else:  # ask without a concrete step
            say("commitment_not_yet")
        turn.note = self.coach.part_note("lscpa", step, language, conv.turn)

    def _commitment_turn(self, conv, say, turn, language) -> None:
        turn.events.append("asked_commitment")
        if conv.objection_resolved or conv.state == "commitment":
            say("commitment_yes")
            say("goodbye")
            self.stages.advance(conv, "finish")
            turn.note = self.coach.part_note("lscpa", "ask", language)
            return
        say("commitment_not_yet")
        turn.note = self.coach.part_note("lscpa", "ask", language)
        if conv.pitch_turns and not conv.objection_raised:
            self._raise_objection(conv, say, turn)

    def _other_turn(self, conv, analysis, say, turn, language) -> None:
        move = analysis.move.label
        kind = {
            "greeting": "greeting",
            "agenda": "agenda_ok",
            "positioning": "agenda_ok",
            "small_talk": "small_talk",
            "off_topic": "off_topic",
        }.get(move or "", "vague")
        say(kind)
        if move in ("agenda", "positioning"):
            turn.events.append(move)
        if conv.state == "opening" and move in ("greeting", "agenda", "positioning"):
            turn.note = self.coach.note("opening", language)
        elif move in ("small_talk", "off_topic"):
            turn.note = self.coach.note("small_talk", language)

    # -- commands ---------------------------------------------------------------------------------
    def _command(self, conv: Conversation, scenario: Scenario, command: str, language: Language) -> TurnReply:
        scorecard = None
        client = None
        note = None
        if command == "restart":
            fresh = Conversation(scenario=conv.scenario, language=conv.language, seed=conv.seed + 1)
            conv.__dict__.update(fresh.__dict__)
            note = CoachNote(self.coach.lead("restarted", language))
        elif command in ("score", "quit"):
            if command == "quit" and not conv.finished:
                self.stages.advance(conv, "finish")
                conv.finished = True
                client = _Sayer(scenario, conv, language, _Turn()).pick("goodbye")
            scorecard = build_scorecard(conv, scenario, self.coach)
        elif command == "hint":
            note = CoachNote(" ".join(self.coach.suggestions(conv.state, language)))
        else:
            note = CoachNote(self.coach.coaching.help.get(language))
        return TurnReply(
            language=language, stage=conv.state, client=client, coach=note, scorecard=scorecard,
            suggestions=self.coach.suggestions(conv.state, language), done=conv.finished, command=command,
        )  # fmt: skip

    def _finished(self, conv: Conversation, language: Language) -> TurnReply:
        return TurnReply(
            language=language, stage=conv.state, client=None, coach=CoachNote(self.coach.lead("finished", language)),
            suggestions=self.coach.suggestions("debrief", language), done=True,
        )  # fmt: skip

    @staticmethod
    def _record(analysis: Analysis, stage: str, events: list[str]) -> TurnRecord:
        return TurnRecord(
            role="salesperson", text=analysis.text, stage=stage, spin=analysis.spin.label,
            fabe=list(analysis.fabe.labels), lscpa=analysis.lscpa.label, move=analysis.move.label,
            is_question=analysis.is_question, events=list(events),
        )  # fmt: skip


class _Sayer:
    """Picks the client's line variants deterministically from the conversation's seed and turn."""

    def __init__(self, scenario: Scenario, conv: Conversation, language: Language, turn: _Turn) -> None:
        self.scenario, self.conv, self.language, self.turn = scenario, conv, language, turn

    def pick(self, kind: str) -> str:
        return self._choose(self.scenario.line(kind).get(self.language), kind)

    def _choose(self, options: list[str], salt: str) -> str:
        return random.Random(f"{self.conv.seed}:{self.conv.turn}:{salt}").choice(options)

    def __call__(self, kind: str) -> None:
        self.turn.lines.append(self.pick(kind))

    def variant(self, texts) -> None:
        options = texts.get(self.language)
        self.turn.lines.append(self._choose(options, options[0]))


def _problem_named(scenario: Scenario, text: str, among: list[Problem] | None = None) -> Problem | None:
    lowered = text.lower()
    for problem in among if among is not None else scenario.problems:
        if any(k.lower() in lowered for _, k in problem.keywords.items()):
            return problem
    return None


def _latest(scenario: Scenario, have: list[str], named: Problem | None) -> Problem | None:
    """The problem named in the question if the client admitted it, else the latest admitted one."""
    if named and named.id in have:
        return named
    return next((p for p in scenario.problems if p.id == have[-1]), None) if have else None


def _target(scenario: Scenario, have: list[str], done: list[str], named: Problem | None) -> Problem | None:
    """The problem a follow-up question is about: the one named, else the latest one not yet followed up."""
    if named and named.id in have and named.id not in done:
        return named
    pending = [pid for pid in have if pid not in done]
    return next((p for p in scenario.problems if p.id == pending[-1]), None) if pending else None


def _analysis_dict(analysis: Analysis) -> dict:
    return {
        "language": analysis.language,
        "is_question": analysis.is_question,
        "spin": analysis.spin.label,
        "fabe": list(analysis.fabe.labels),
        "lscpa": analysis.lscpa.label,
        "move": analysis.move.label,
        "unsure": {name: c.unsure for name, c in analysis.by_framework.items()},
    }
