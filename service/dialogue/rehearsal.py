"""The rehearsal engine: the bot plays the scenario's client and a coach comments on every turn.

``start`` opens a conversation, ``reply`` takes one salesperson message and returns a ``TurnReply``;
the ``Conversation`` is plain data the caller persists between turns (nothing lives in memory).
"""

from __future__ import annotations

import random
import re
from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from ..errors import InvalidInput, PlaybookError, UnknownScenario
from ..playbooks.frameworks import Frameworks
from ..playbooks.scenarios import DIFFICULTIES, ID_PATTERN, Scenario
from ..retrieval.keyword import Segmenter
from ..text import Language
from .analyser import Analysis, AnalysisContext, UtteranceAnalyser
from .coach import Coach
from .conversation import Conversation, TurnRecord
from .grounding import Grounding, ScenarioGrounder
from .rules import REQUIRED_LABELS, Tools, TurnContext, apply_rules
from .scorecard import build_scorecard
from .stages import StageMachine
from .turn import CoachNote, TurnReply
from .voice import ClientVoice

STORED_KEPT = 256  # stored scenarios kept parsed and embedded in a process


class RehearsalEngine:
    """Plays the client of a scenario; judges every message with the analyser and the playbooks.

    A turn: one embedding of the message; the grounding (which fact or difficulty it is about) and
    the analysis in context (the SPIN label knows what the client just admitted) both use it; then
    the first rule of ``rules.RULES`` that applies decides what the client says."""

    def __init__(
        self, scenarios: dict[str, Scenario], analyser: UtteranceAnalyser, coach: Coach, segmenter: Segmenter
    ) -> None:
        self.scenarios = scenarios  # the built-in ones (playbooks/scenarios/)
        # custom and plan scenarios live in the store: looked up on demand, kept while in use
        self.lookup: Callable[[str], Scenario | None] | None = None
        self._stored: OrderedDict[str, Scenario] = OrderedDict()
        self.analyser = analyser
        self.coach = coach
        self.stages = StageMachine()
        playbook = coach.coaching
        memo = analyser.memo
        self.grounder = ScenarioGrounder(
            memo.queries, memo.passages, partial(segmenter.tokens, stem=True), {str(k): v for k, v in playbook.generic_questions.items()},
            playbook.off_script_questions, playbook.grounding, playbook.grounding_generated,
        )  # fmt: skip
        check_frameworks(coach.frameworks)
        self.tools = Tools(
            coach=coach, stages=self.stages, analyser=analyser,
            mistakes={name: m.cues for name, m in playbook.mistakes.items()},
            mistake_roles={name: m.only_for for name, m in playbook.mistakes.items() if m.only_for},
        )  # fmt: skip

    def warm_up(self) -> None:
        """Embed every scenario's topics and examples once (start-up, not the first message)."""
        self.grounder.warm_up(list(self.scenarios.values()))

    # -- conversation lifecycle ---------------------------------------------------------------
    def scenario(self, scenario_id: str) -> Scenario:
        """A built-in scenario, else a stored one (custom or built from a plan)."""
        if scenario_id in self.scenarios:
            return self.scenarios[scenario_id]
        stored = self._stored.get(scenario_id)
        if stored is None and self.lookup is not None and _could_be_stored(scenario_id):
            stored = self.lookup(scenario_id)
        if stored is None:
            raise UnknownScenario(
                f"unknown scenario {scenario_id!r}: choose one of {', '.join(sorted(self.scenarios))}"
                " or a stored one (GET /api/scenarios)"
            )
        self.remember(stored)
        return stored

    def forget_stored(self) -> None:
        """Drop the stored scenarios kept at hand (they are looked up again when used)."""
        self._stored.clear()

    def remember(self, scenario: Scenario) -> None:
        """Keep a stored scenario at hand (stored scenarios never change: same id, same content)."""
        self._stored[scenario.id] = scenario
        self._stored.move_to_end(scenario.id)
        while len(self._stored) > STORED_KEPT:
            self._stored.popitem(last=False)

    def start(
        self, scenario_id: str, language: Language, seed: int | None = None, difficulty: str | None = None
    ) -> tuple[Conversation, TurnReply]:
        """A new conversation and the opening reply: the briefing and what to try first."""
        scenario = self.scenario(scenario_id)
        chosen = difficulty or scenario.difficulty
        if chosen not in DIFFICULTIES:
            raise InvalidInput(f"unknown difficulty {chosen!r}: use one of {', '.join(DIFFICULTIES)}")
        conversation = Conversation(
            scenario=scenario_id, language=language, seed=seed or random.randrange(1 << 30), difficulty=chosen
        )
        persona = scenario.persona
        level = self.coach.coaching.difficulties[chosen].names.get(language)  # type: ignore[index]
        label = "难度" if language == "zh" else "Difficulty"
        briefing = (
            f"{scenario.briefing.get(language)}\n{persona.title.get(language)} · {persona.company.get(language)}"
            f" · {label}: {level}"
        )
        return conversation, TurnReply(
            language=language,
            stage=conversation.state,
            client=None,
            coach=CoachNote(f"{briefing}\n\n{self.coach.coaching.help.get(language)}"),
            suggestions=self.coach.suggestions("opening", language),
            difficulty=chosen,
        )

    def reply(self, conversation: Conversation, text: str) -> TurnReply:
        """Take one salesperson message; the conversation is updated in place."""
        scenario = self.scenario(conversation.scenario)
        command = self.analyser.commands.match(text)
        if command:  # commands answer in the conversation's language
            return self._command(conversation, scenario, command, conversation.language)
        if conversation.finished:  # nothing more is applied; answer in the session's language
            return self._finished(conversation, conversation.language)
        vector = self.analyser.embed(text)
        grounding = self.grounder.ground(scenario, vector, text)
        context = AnalysisContext(
            after=conversation.last_unit.split(":", 1)[0] if conversation.last_unit else None,
            about=_about(grounding, conversation),
            stage=conversation.state,
        )
        analysis = self.analyser.analyse(text, context, vector)
        language = analysis.language if len(text.strip()) > 3 else conversation.language
        conversation.turn += 1
        ctx = TurnContext(
            conversation=conversation, scenario=scenario, analysis=analysis, grounding=grounding, text=text,
            language=language, difficulty=self.coach.coaching.difficulties[conversation.difficulty],  # type: ignore[index]
            voice=ClientVoice(scenario, conversation, language, self.coach.coaching.client_lines), tools=self.tools,
        )  # fmt: skip
        apply_rules(ctx)
        # the SPIN kind the question was taken as, in context (the rules may read it as another)
        asked = next((e.split(":", 1)[1] for e in ctx.events if e.startswith("question:")), None)
        conversation.transcript.append(self._record(analysis, conversation.state, ctx.events, asked))
        client = ctx.voice.text
        conversation.transcript.append(TurnRecord(role="client", text=client, stage=conversation.state))
        scorecard = None
        if conversation.state == "debrief":
            conversation.finished = True
            scorecard = build_scorecard(conversation, scenario, self.coach)
        return TurnReply(
            language=language,
            stage=conversation.state,
            client=client,
            coach=ctx.note,
            suggestions=self.coach.suggestions(_hint_stage(conversation), language),
            analysis={**analysis.as_dict(), **({"spin": asked} if asked else {})},
            events=ctx.events,
            scorecard=scorecard,
            done=conversation.finished,
            revealed=ctx.revealed,
            difficulty=conversation.difficulty,
        )

    # -- commands ---------------------------------------------------------------------------------
    def _command(self, conv: Conversation, scenario: Scenario, command: str, language: Language) -> TurnReply:
        scorecard = None
        client = None
        note = None
        if command == "restart":
            fresh = Conversation(
                scenario=conv.scenario, language=conv.language, seed=conv.seed + 1, difficulty=conv.difficulty
            )
            conv.__dict__.update(fresh.__dict__)
            note = CoachNote(self.coach.lead("restarted", language))
        elif command in ("score", "quit"):
            if command == "quit" and not conv.finished:
                self.stages.advance(conv, "finish")
                conv.finished = True
                client = ClientVoice(scenario, conv, language, self.coach.coaching.client_lines).pick(
                    "goodbye"
                )
            scorecard = build_scorecard(conv, scenario, self.coach)
        elif command == "hint":
            note = CoachNote(" ".join(self.coach.suggestions(_hint_stage(conv), language)))
        else:
            note = CoachNote(self.coach.coaching.help.get(language))
        return TurnReply(
            language=language, stage=conv.state, client=client, coach=note, scorecard=scorecard,
            suggestions=self.coach.suggestions(_hint_stage(conv), language), done=conv.finished, command=command,
            difficulty=conv.difficulty,
        )  # fmt: skip

    def _finished(self, conv: Conversation, language: Language) -> TurnReply:
        return TurnReply(
            language=language, stage=conv.state, client=None, coach=CoachNote(self.coach.lead("finished", language)),
            suggestions=self.coach.suggestions("debrief", language), done=True,
        )  # fmt: skip

    @staticmethod
    def _record(analysis: Analysis, stage: str, events: list[str], spin: str | None = None) -> TurnRecord:
        return TurnRecord(
            role="salesperson", text=analysis.text, stage=stage, spin=spin or analysis.spin.label,
            fabe=list(analysis.fabe.labels), lscpa=analysis.lscpa.label, move=analysis.move.label,
            is_question=analysis.is_question, events=list(events),
        )  # fmt: skip


def _about(grounding: Grounding, conversation: Conversation) -> str | None:
    """What the message is about, for the analyser: a fact, a difficulty, or one already admitted."""
    if (
        grounding.kind == "problem"
        and grounding.unit is not None
        and grounding.unit.id in conversation.problems
    ):
        return "admitted_problem"
    return grounding.kind


def check_frameworks(frameworks: Frameworks) -> None:
    """The rules react to SPIN, LSCPA and FABE labels: fail at start-up if a playbook lacks one."""
    for name, labels in REQUIRED_LABELS.items():
        framework = frameworks.coaching.get(name)
        missing = sorted(labels - set(framework.labels)) if framework else sorted(labels)
        if missing:
            raise PlaybookError(
                f"frameworks/{name}.yaml", f"parts: the rehearsal needs label(s) {', '.join(missing)}"
            )


def _hint_stage(conversation: Conversation) -> str:
    """Which hints fit: once the agenda is stated, the opening's next step is a situation question,
    not another agenda (the turn just played is already in the transcript)."""
    if conversation.state == "opening" and {"agenda", "positioning"} & set(conversation.events()):
        return "agenda_stated"
    return conversation.state


def _could_be_stored(scenario_id: str) -> bool:
    """Only a well-formed scenario id can name a stored scenario: anything else (a NUL, a sentence)
    is unknown without asking the database, which may not even take it (PostgreSQL refuses NUL)."""
    return re.fullmatch(ID_PATTERN, scenario_id) is not None
