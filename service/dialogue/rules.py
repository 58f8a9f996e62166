"""What the client does with one salesperson message: a table of named rules.

``RULES`` is tried in order; the first rule whose condition holds handles the turn. SPIN questions
are handed on by their (context-aware) label to ``SPIN_HANDLERS``, objection steps by their LSCPA
label to ``LSCPA_HANDLERS``. Every handler reads and writes one ``TurnContext``: the conversation,
the analysis, the grounding of the message in the scenario, and what the turn produces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..playbooks.coaching import DifficultySettings
from ..playbooks.frameworks import Patterns, TextLists
from ..playbooks.scenarios import Fact, Problem, Scenario
from ..text import Language
from .analyser import Analysis, UtteranceAnalyser
from .coach import Coach
from .conversation import Conversation
from .grounding import Grounding
from .stages import StageMachine
from .turn import CoachNote, LearnedUnit
from .voice import ClientVoice

PITCH_TURNS_BEFORE_OBJECTION = 3
FORWARD_MOVES = {"greeting", "agenda", "positioning", "small_talk"}
# a statement with a FABE element this likely is a pitch ("我们在邻省做过类似项目，配置时间从两个月缩到十天。"
# scores evidence 0.40), unless it is an opening or small talk
PITCH_CONFIDENCE = 0.35


@dataclass(frozen=True)
class Tools:
    """What the rules need besides the turn: the coach, the stage machine, the analyser, the mistakes."""

    coach: Coach
    stages: StageMachine
    analyser: UtteranceAnalyser
    mistakes: dict[str, Patterns]
    mistake_roles: dict[str, str]  # mistakes that are mistakes with one CUTE role only


@dataclass
class TurnContext:
    """One turn: its inputs, and what the rules make of it (client lines, events, note, revealed)."""

    conversation: Conversation
    scenario: Scenario
    analysis: Analysis
    grounding: Grounding
    text: str
    language: Language
    difficulty: DifficultySettings
    voice: ClientVoice
    tools: Tools
    events: list[str] = field(default_factory=list)
    note: CoachNote | None = None
    revealed: list[LearnedUnit] = field(default_factory=list)

    @property
    def coach(self) -> Coach:
        return self.tools.coach

    def advance(self, trigger: str) -> bool:
        return self.tools.stages.advance(self.conversation, trigger)

    def reveal(self, kind: str, unit: Fact | Problem, texts: TextLists) -> None:
        """The client tells a unit for the first time: said, recorded, and listed in ``revealed``."""
        line = self.voice.say_variant(texts)
        told = self.conversation.told_list(kind)
        if unit.id not in told:
            told.append(unit.id)
        self.conversation.revealed.append({"kind": kind, "id": unit.id, "text": line})
        self.conversation.last_unit = f"{kind}:{unit.id}"
        self.revealed.append(LearnedUnit(kind=kind, id=unit.id, text=line))
        self.events.append(f"revealed:{kind}:{unit.id}")

    def retell(self, kind: str, unit: Fact | Problem, texts: TextLists) -> None:
        """Asked again about something already told: a recap (facts, difficulties) or a further
        variant (consequences and needs deepen when asked again), never a new unit."""
        said = {item["text"] for item in self.conversation.revealed if item["id"] == unit.id}
        if kind in ("fact", "problem"):
            if unit.recap is not None:
                self.voice.say_variant(unit.recap)
            else:
                self.voice.say("recap")
            self.note = self.coach.note("recap", self.language)
        else:
            self.voice.say_variant(texts, avoid=said)
        self.conversation.last_unit = f"{kind}:{unit.id}"
        self.events.append(f"recap:{kind}:{unit.id}")


Condition = Callable[[TurnContext], bool]
Handler = Callable[[TurnContext], None]


@dataclass(frozen=True)
class Rule:
    name: str
    applies: Condition
    handle: Handler


# -- helpers ---------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def matches(patterns: Patterns, language: Language, text: str) -> bool:
    return any(pattern.search(text) for pattern in _compiled(tuple(patterns.get(language))))


def _problem(scenario: Scenario, problem_id: str | None) -> Problem | None:
    return next((p for p in scenario.problems if p.id == problem_id), None)


def _fact(scenario: Scenario, fact_id: str | None) -> Fact | None:
    return next((f for f in scenario.facts if f.id == fact_id), None)


def _untimely(ctx: TurnContext, label: str, lead: str, line: str = "vague") -> None:
    """A SPIN question that does not fit the moment: a vague line, and the coach says when it works."""
    ctx.voice.say(line)
    ctx.note = ctx.coach.timing_note("spin", label, ctx.language, ctx.coach.lead(lead, ctx.language))


def _deflect(ctx: TurnContext) -> None:
    """A question the scenario has no answer for: in character, revealing nothing."""
    grounding = ctx.grounding
    if grounding.colleague is not None:
        ctx.voice.say("deflect_not_mine", person=grounding.colleague.person.get(ctx.language))
        ctx.events.append("off_script:colleague")
    elif grounding.withheld:
        ctx.voice.say("deflect_not_yet")
        ctx.events.append("off_script:withheld")
    else:
        ctx.voice.say("deflect_unknown")
        ctx.events.append("off_script:unknown")


def _points_back(ctx: TurnContext, told: list[str]) -> bool:
    """The question points back ("that", "这个", "it") right after the client told one of ``told``."""
    return ctx.conversation.last_unit_id in told and matches(
        ctx.coach.coaching.refers_back, ctx.language, ctx.text
    )


def _points_back_to_admitted(ctx: TurnContext) -> bool:
    """The question points back right after the client told a difficulty."""
    return _points_back(ctx, ctx.conversation.problems)


def _closest_unadmitted(ctx: TurnContext) -> Problem | None:
    """The best-scoring difficulty not admitted yet, if it comes close enough for an open question."""
    pool = [p.id for p in ctx.scenario.problems if p.id not in ctx.conversation.problems]
    best_id, score = ctx.grounding.best("problem", among=pool)
    floor = ctx.tools.coach.coaching.grounding.open_problem_floor
    return _problem(ctx.scenario, best_id) if best_id is not None and score >= floor else None


def _followed_problem(ctx: TurnContext, done: list[str]) -> Problem | None:
    """The admitted difficulty a follow-up (implication, need-payoff) question is about: the one it
    names (unless it points back: "How does that affect …?"), else the one the client spoke about
    last, else the latest admitted one not yet followed up."""
    conv, grounding = ctx.conversation, ctx.grounding
    if (
        grounding.kind == "problem"
        and isinstance(grounding.unit, Problem)
        and grounding.unit.id in conv.problems
        and not _points_back_to_admitted(ctx)
    ):
        return grounding.unit
    admitted = conv.problems
    if not admitted:
        return None
    if conv.last_unit_id in admitted:
        return _problem(ctx.scenario, conv.last_unit_id)
    pending = [pid for pid in admitted if pid not in done]
    return _problem(ctx.scenario, (pending or admitted)[-1])


def _named_problem(ctx: TurnContext) -> Problem | None:
    """The difficulty an open problem question points at, if any (the grounding's unit, or the
    best-scoring difficulty close enough for an open question)."""
    grounding = ctx.grounding
    if grounding.kind == "problem" and isinstance(grounding.unit, Problem):
        return grounding.unit
    best_id, score = grounding.best("problem")
    close = best_id is not None and score >= ctx.tools.coach.coaching.grounding.open_problem_floor
    if close and (grounding.kind == "fact" or grounding.generic == "problem"):
        return _problem(ctx.scenario, best_id)
    return None


# -- SPIN questions --------------------------------------------------------------------------------
# how close a fact must come to the difficulty a situation question found (0.03–0.06 tried on the
# tuning sets: 0.06 costs follow-ups)
SITUATION_FACT_MARGIN = 0.04


def _close_fact(ctx: TurnContext) -> Fact | None:
    """The fact a situation question grounded on a difficulty may be about instead: one scoring
    within ``SITUATION_FACT_MARGIN`` of the difficulty ("Who buys and installs the intercoms?" asks
    the buying process, though late delivery knows the words)."""
    grounding = ctx.grounding
    fact_id, score = grounding.best("fact")
    if fact_id is None or score < grounding.score - SITUATION_FACT_MARGIN:
        return None
    return _fact(ctx.scenario, fact_id)


def ask_situation(ctx: TurnContext) -> None:
    conv, grounding = ctx.conversation, ctx.grounding
    conv.background_run += 1
    close = _close_fact(ctx) if grounding.kind == "problem" else None
    if grounding.kind == "problem" and close is None:
        ask_problem(ctx)  # asking about a difficulty's area in situation form still asks about it
        return
    fact = close or (grounding.unit if isinstance(grounding.unit, Fact) else None)
    if fact is None and grounding.generic == "situation":
        fact = next((f for f in ctx.scenario.facts if f.id not in conv.facts), None)
        if fact is None:
            _untimely(ctx, "situation", "enough_facts", line="more_facts")
            return
    if fact is None:
        _deflect(ctx)
        ctx.note = ctx.coach.timing_note(
            "spin", "situation", ctx.language, ctx.coach.lead("off_script", ctx.language)
        )
        return
    if conv.told("fact", fact.id):
        ctx.retell("fact", fact, fact.reveal)
    else:
        ctx.reveal("fact", fact, fact.reveal)
        ctx.note = ctx.coach.part_note("spin", "situation", ctx.language, conv.turn)
    ctx.advance("to_situation")
    if conv.background_run > ctx.difficulty.patience:
        ctx.voice.say("impatient")
        ctx.events.append("impatient")
        ctx.note = ctx.coach.note("impatient", ctx.language)


def ask_problem(ctx: TurnContext) -> None:
    conv = ctx.conversation
    if _points_back_to_admitted(ctx) and "question:problem" in ctx.events:
        _asked_as(ctx, "problem", "implication")  # "Does that leave people …?": its consequences
        return
    conv.background_run = 0
    if not conv.facts and not ctx.difficulty.admits_without_facts:
        _untimely(ctx, "problem", "too_early", line="guarded")
        return
    problem = _named_problem(ctx)
    if problem is not None and not ctx.difficulty.open_admits and _sounds_generic(ctx, problem):
        problem = None  # a tough client admits nothing to a question that could be asked of anyone
    if problem is None and ctx.grounding.generic == "problem" and ctx.difficulty.open_admits:
        problem = next((p for p in ctx.scenario.problems if p.id not in conv.problems), None)
    if problem is None and ctx.difficulty.open_admits and _points_back(ctx, conv.facts):
        problem = _closest_unadmitted(ctx)  # "How has it held up?" of the system just described
    if problem is None:
        ctx.voice.say("guarded")
        ctx.note = ctx.coach.part_note("spin", "problem", ctx.language, conv.turn)
        return
    if conv.told("problem", problem.id):
        ctx.retell("problem", problem, problem.reveal)
    else:
        ctx.reveal("problem", problem, problem.reveal)
        ctx.note = ctx.coach.part_note("spin", "problem", ctx.language, conv.turn)
    ctx.advance("to_problem")


CONTEXT_MARGIN = 0.03  # a follow-up leaves the difficulty just discussed only for one clearly closer


def _unadmitted_problem(ctx: TurnContext) -> Problem | None:
    """A follow-up question about a difficulty the client has not admitted yet — unless the
    difficulty just discussed scores about as well (then the follow-up is about that one)."""
    unit, grounding, conv = ctx.grounding.unit, ctx.grounding, ctx.conversation
    if grounding.kind != "problem" or not isinstance(unit, Problem) or unit.id in conv.problems:
        return None
    last = conv.last_unit_id
    if _points_back_to_admitted(ctx) or (  # "How does that affect …?"
        last in conv.problems
        and grounding.scores.get(f"problem:{last}", 0.0) >= grounding.score - CONTEXT_MARGIN
    ):
        return None
    return unit


def _sounds_generic(ctx: TurnContext, problem: Problem) -> bool:
    features = ctx.grounding.features
    if features is None or features.generic != "problem":
        return False
    return features.generic_score >= features.ask.get(f"problem:{problem.id}", 0.0) - GENERIC_SLACK


GENERIC_SLACK = 0.02  # how much closer to the difficulty than to a generic question a hard client wants


def ask_implication(ctx: TurnContext) -> None:
    _follow_up(ctx, "implication", "implication", ctx.conversation.implications, "to_implication")


def ask_need(ctx: TurnContext) -> None:
    _follow_up(ctx, "need_payoff", "need", ctx.conversation.needs, "to_need_payoff")


def _follow_up(ctx: TurnContext, label: str, kind: str, done: list[str], trigger: str) -> None:
    """An implication (``kind`` "implication") or need-payoff ("need") question about an admitted
    difficulty: its consequences or its value are told (a second question deepens them), or, when
    there is nothing to follow up yet, the coach says why."""
    conv = ctx.conversation
    conv.background_run = 0
    if _unadmitted_problem(ctx) is not None:
        _about_unadmitted(ctx, label)
        return
    target = _followed_problem(ctx, done)
    if target is None and ctx.grounding.kind == "fact":
        _asked_as(ctx, label, "situation")  # nothing to follow up, and it asks about a fact
        return
    if target is None:
        _untimely(ctx, label, "no_problem")
        return
    if kind == "need" and target.id not in conv.implications and ctx.difficulty.need_needs_implication:
        _untimely(ctx, label, "no_implication")
        return
    lines = target.implication if kind == "implication" else target.need
    if conv.told(kind, target.id):
        ctx.retell(kind, target, lines)
    else:
        ctx.reveal(kind, target, lines)
    ctx.advance(trigger)
    ctx.note = ctx.coach.part_note("spin", label, ctx.language, conv.turn)


def _asked_as(ctx: TurnContext, label: str, kind: str) -> None:
    """A question worded as one SPIN kind that, in context, asks as another: handled, and counted, as that."""
    ctx.events[ctx.events.index(f"question:{label}")] = f"question:{kind}"
    SPIN_HANDLERS[kind](ctx)


def _about_unadmitted(ctx: TurnContext, label: str) -> None:
    """Consequences or value of a difficulty the client never admitted: nothing is admitted to a
    question that presupposes it (a difficulty comes out only to a problem question about it) —
    unless the analyser is unsure the question is not one ("How often is a delivery rejected
    because it got too warm?"), and the client is not a hard one."""
    if ctx.difficulty.open_admits and ctx.analysis.spin.unsure:  # as much a problem question
        _asked_as(ctx, label, "problem")
        return
    _untimely(ctx, label, "not_admitted", line="guarded" if not ctx.difficulty.open_admits else "vague")


SPIN_HANDLERS: dict[str, Handler] = {
    "situation": ask_situation,
    "problem": ask_problem,
    "implication": ask_implication,
    "need_payoff": ask_need,
}


def on_spin_question(ctx: TurnContext) -> None:
    label = ctx.analysis.spin.label or "other"
    ctx.events.append(f"question:{label}")
    SPIN_HANDLERS[label](ctx)


# -- objection handling (LSCPA) ---------------------------------------------------------------------
def _listened(ctx: TurnContext) -> None:
    ctx.voice.say("listened")


def _clarified(ctx: TurnContext) -> None:
    ctx.voice.say_variant(ctx.scenario.objection.real_concern)


def _presented(ctx: TurnContext) -> None:
    conv = ctx.conversation
    if "clarify" not in conv.objection_steps[:-1]:
        ctx.events.append("argued")
        ctx.voice.say("argued")
        ctx.note = ctx.coach.check_note("clarify_before_present", ctx.language)
        return
    conv.objection_resolved = True
    ctx.voice.say_variant(ctx.scenario.objection.resolved)
    ctx.advance("to_commitment")


def _asked_vaguely(ctx: TurnContext) -> None:
    ctx.voice.say("commitment_not_yet")


LSCPA_HANDLERS: dict[str, Handler] = {
    "listen": _listened,
    "share": _listened,
    "clarify": _clarified,
    "present": _presented,
    "ask": _asked_vaguely,
}


def on_objection_step(ctx: TurnContext) -> None:
    step = ctx.analysis.lscpa.label or "listen"
    ctx.conversation.objection_steps.append(step)
    ctx.events.append(f"lscpa:{step}")
    LSCPA_HANDLERS[step](ctx)
    if ctx.note is None:
        ctx.note = ctx.coach.part_note("lscpa", step, ctx.language, ctx.conversation.turn)


# -- mistakes, commitment, pitch, the rest ----------------------------------------------------------
def mistake(ctx: TurnContext) -> str | None:
    """A recognised mistake: rebutting counts only before the objection is clarified, a leading
    question only while the client is still being questioned."""
    conv = ctx.conversation
    for name, cues in ctx.tools.mistakes.items():
        role = ctx.tools.mistake_roles.get(name)
        if role and role != ctx.scenario.persona.cute_role:
            continue
        if name == "arguing" and (conv.state != "objection" or "clarify" in conv.objection_steps):
            continue
        if name == "leading_question" and (
            conv.state in ("objection", "commitment") or not ctx.analysis.is_question
        ):
            continue
        if matches(cues, ctx.language, ctx.text):
            return name
    return None


def on_mistake(ctx: TurnContext) -> None:
    name = mistake(ctx)
    assert name is not None
    if name == "arguing":
        ctx.conversation.objection_steps.append("present")
        ctx.events += ["lscpa:present", "argued"]
        ctx.voice.say("argued")
    else:
        ctx.events.append(name)
        ctx.voice.say("leading_pushback" if name == "leading_question" else name)
    ctx.note = ctx.coach.note(name, ctx.language)


def asks_commitment(ctx: TurnContext) -> bool:
    """A concrete next step asked for — not a question about a fact such as the timeline."""
    proposes = matches(ctx.coach.coaching.proposes, ctx.language, ctx.text)
    if ctx.analysis.is_question and ctx.grounding.kind == "fact" and not proposes:
        return False
    concrete = matches(ctx.scenario.commitment.cues, ctx.language, ctx.text)
    conv = ctx.conversation
    asking = (
        proposes
        or ctx.analysis.move.label == "ask_commitment"
        or (conv.objection_raised and ctx.analysis.lscpa.label == "ask")
    )
    return asking and concrete


def on_commitment(ctx: TurnContext) -> None:
    conv = ctx.conversation
    ctx.events.append("asked_commitment")
    ctx.note = ctx.coach.part_note("lscpa", "ask", ctx.language)
    if conv.objection_resolved or conv.state == "commitment":
        ctx.voice.say("commitment_yes")
        ctx.voice.say("goodbye")
        ctx.advance("finish")
        return
    ctx.voice.say("commitment_not_yet")
    if conv.pitch_turns and not conv.objection_raised:
        raise_objection(ctx)


def raise_objection(ctx: TurnContext) -> None:
    if ctx.advance("to_objection"):
        ctx.conversation.objection_raised = True
        ctx.events.append("objection_raised")
        ctx.voice.say_variant(ctx.scenario.objection.raise_)


def is_pitch(ctx: TurnContext) -> bool:
    analysis = ctx.analysis
    return analysis.move.label == "pitch" or (
        not analysis.is_question
        and bool(analysis.fabe.labels)
        and analysis.fabe.confidence >= PITCH_CONFIDENCE
        and analysis.move.label not in FORWARD_MOVES
    )


def _tied_to_need(ctx: TurnContext, needs: list[Problem]) -> bool:
    lowered = ctx.text.lower()
    if any(k.lower() in lowered for p in needs if p.keywords for _, k in p.keywords.items()):
        return True
    _, score = ctx.grounding.best("problem", [p.id for p in needs])
    return score >= ctx.coach.coaching.grounding.open_problem_floor


def on_pitch(ctx: TurnContext) -> None:
    conv, say = ctx.conversation, ctx.voice.say
    ctx.events.append("pitch")
    conv.pitch_turns += 1
    if not conv.needs:
        ctx.events.append("pitch_before_need")
        say("pitch_too_early")
        ctx.note = ctx.coach.check_note("need_before_pitch", ctx.language)
    else:
        # element by element only when it matters: before a need is voiced, any pitch is too early
        labels = ctx.tools.analyser.elements(ctx.text, ctx.analysis.fabe)
        ctx.advance("to_pitch")
        if "benefit" in labels:
            tied = _tied_to_need(ctx, [p for p in ctx.scenario.problems if p.id in conv.needs])
            ctx.events.append("benefit_tied" if tied else "benefit_untied")
            say("benefit_tied" if tied else "benefit_untied")
            ctx.note = (
                ctx.coach.part_note("fabe", "benefit", ctx.language)
                if tied
                else ctx.coach.check_note("benefits_tied", ctx.language)
            )
        elif "evidence" not in labels:
            say("bare_feature")
            ctx.note = ctx.coach.part_note("fabe", "feature", ctx.language)
        if "evidence" in labels:
            conv.evidence_given = True
            ctx.events.append("evidence")
            say("evidence_ok")
            ctx.note = ctx.note or ctx.coach.part_note("fabe", "evidence", ctx.language)
        elif "benefit_tied" in ctx.events:
            say("ask_evidence")
    ready = conv.evidence_given and "benefit_tied" in conv.events() + ctx.events
    if ready or conv.pitch_turns >= PITCH_TURNS_BEFORE_OBJECTION:
        raise_objection(ctx)


OTHER_LINES = {"greeting": "greeting", "agenda": "agenda_ok", "positioning": "agenda_ok",
               "small_talk": "small_talk", "off_topic": "off_topic"}  # fmt: skip


def on_other(ctx: TurnContext) -> None:
    move = ctx.analysis.move.label or ""
    if ctx.analysis.is_question and move not in OPENING_MOVES:
        if ctx.grounding.kind in ("fact", "problem"):  # no SPIN wording, but about a topic of the scenario
            ctx.events.append("question:situation")
            ask_situation(ctx)  # (a difficulty's area asked about in situation form is a problem question)
            return
        if move not in OTHER_LINES:
            _deflect(ctx)  # a business question that is no SPIN question and no topic of the scenario
            return
    ctx.voice.say(OTHER_LINES.get(move, "vague"))
    if move in ("agenda", "positioning"):
        ctx.events.append(move)
    if ctx.conversation.state == "opening" and move in OPENING_MOVES:
        ctx.note = ctx.coach.note("opening", ctx.language)
    elif move in ("small_talk", "off_topic"):
        ctx.note = ctx.coach.note("small_talk", ctx.language)


OPENING_MOVES = ("greeting", "agenda", "positioning")


def is_opening_move(ctx: TurnContext) -> bool:
    """A greeting or an agenda ("今天想了解一下巡检的情况，占用您二十分钟可以吗？") asks for time, not
    for an answer: it is answered as an opening even in question form and even when it names the
    area it is about (no difficulty is admitted to it), and even when it names a fact if it asks for
    leave ("我准备了几个问题，想弄清楚这个项目…，您看可以吗？")."""
    grounding = ctx.grounding
    if (ctx.analysis.move.label or "") not in OPENING_MOVES:
        return False
    if ctx.conversation.state == "opening":  # "今天想先了解一下贵部门用什么系统？" still asks for a fact
        return grounding.kind != "fact" or _asks_leave(ctx)
    # later, an "agenda" that names a unit or leans on the conversation is a question about it, and
    # so is a SPIN question about nothing in particular ("会不会影响到业主那边的体验？")
    if grounding.unit is not None or grounding.generic is not None:
        return False
    spin_question = ctx.analysis.is_question and (ctx.analysis.spin.label or "") in SPIN_HANDLERS
    return not spin_question or _asks_leave(ctx)


def _asks_leave(ctx: TurnContext) -> bool:
    """Leave asked for in the message's last sentence: "Let's start with the basics, if that's
    alright. How many reps do you have?" asks for the headcount, not for leave."""
    parts = [part for part in _SENTENCE_END.split(ctx.text.strip()) if part.strip()]
    return matches(ctx.coach.coaching.asks_leave, ctx.language, parts[-1] if parts else ctx.text)


_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")  # English sentences end before a space


RULES: tuple[Rule, ...] = (
    Rule("mistake", lambda ctx: mistake(ctx) is not None, on_mistake),
    Rule("commitment", asks_commitment, on_commitment),
    Rule("objection", lambda ctx: ctx.conversation.state in ("objection", "commitment"), on_objection_step),
    Rule("opening_move", is_opening_move, on_other),
    Rule(
        "spin_question",
        lambda ctx: ctx.analysis.is_question and (ctx.analysis.spin.label or "") in SPIN_HANDLERS,
        on_spin_question,
    ),
    Rule("pitch", is_pitch, on_pitch),
    Rule("other", lambda ctx: True, on_other),
)


# The labels the rules above are written against, per framework: the engine refuses to start on
# playbooks that lack them (a new framework needs no entry here unless a rule reacts to it).
REQUIRED_LABELS: dict[str, set[str]] = {
    "spin": {*SPIN_HANDLERS, "other"},
    "lscpa": set(LSCPA_HANDLERS),
    "fabe": {"feature", "benefit", "evidence"},
}


def apply_rules(ctx: TurnContext) -> str:
    """Run the first rule that applies; returns its name."""
    for rule in RULES:
        if rule.applies(ctx):
            rule.handle(ctx)
            return rule.name
    raise AssertionError("the last rule always applies")
