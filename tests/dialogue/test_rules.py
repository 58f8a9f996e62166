"""Fast tests of the rehearsal's rule table, stage machine and scorecard checks, with a stand-in
analysis and grounding (no model): each rule is exercised on the turn it is written for."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.dialogue.analyser import Analysis, Classification
from service.dialogue.coach import Coach
from service.dialogue.conversation import Conversation
from service.dialogue.grounding import Grounding
from service.dialogue.rules import RULES, Tools, TurnContext, apply_rules
from service.dialogue.scorecard import CHECKS
from service.dialogue.stages import StageMachine
from service.dialogue.voice import ClientVoice
from service.playbooks.coaching import load_coaching
from service.playbooks.frameworks import load_frameworks
from service.playbooks.scenarios import load_scenarios
from service.retrieval.chunker import chunk_documents
from service.retrieval.corpus import load_documents
from service.settings import PROJECT_ROOT

PLAYBOOKS = PROJECT_ROOT / "playbooks"


@pytest.fixture(scope="module")
def world():
    frameworks = load_frameworks(PLAYBOOKS)
    coaching = load_coaching(PLAYBOOKS, frameworks)
    passages = chunk_documents(load_documents(PROJECT_ROOT / "knowledge"))
    coach = Coach(frameworks, coaching, passages, PLAYBOOKS)
    scenarios = load_scenarios(PLAYBOOKS)
    return coach, scenarios["intercom_gatekeeper"]


@dataclass
class StandInAnalyser:
    """Pitches are judged by their whole-text FABE labels here."""

    def elements(self, text: str, whole: Classification) -> set[str]:
        return set(whole.labels)


def verdict(
    framework: str, label: str | None, labels: list[str] | None = None, unsure: bool = False
) -> Classification:
    on = labels if labels is not None else [label]
    return Classification(framework, label, on, {x: 1.0 for x in on}, 0.6 if unsure else 1.0, unsure, "zh")


def analysis(
    spin="other", move="question", lscpa="listen", fabe=("feature",), question=True, unsure=False
) -> Analysis:
    return Analysis(
        text="…", language="zh", is_question=question,
        by_framework={"spin": verdict("spin", spin, unsure=unsure), "fabe": verdict("fabe", None, list(fabe)),
                      "lscpa": verdict("lscpa", lscpa), "moves": verdict("moves", move)},
    )  # fmt: skip


def turn(world, conversation, text="…", grounding=None, difficulty="normal", **kinds) -> TurnContext:
    coach, scenario = world
    return TurnContext(
        conversation=conversation, scenario=scenario, analysis=analysis(**kinds), grounding=grounding or Grounding(),
        text=text, language="zh", difficulty=coach.coaching.difficulties[difficulty],
        voice=ClientVoice(scenario, conversation, "zh", coach.coaching.client_lines),
        tools=Tools(coach=coach, stages=StageMachine(), analyser=StandInAnalyser(),  # type: ignore[arg-type]
                    mistakes={n: m.cues for n, m in coach.coaching.mistakes.items()},
                    mistake_roles={n: m.only_for for n, m in coach.coaching.mistakes.items() if m.only_for}),
    )  # fmt: skip


def unit(world, unit_id):
    return next(u for u in world[1].units() if u.id == unit_id)


def about(world, unit_id, kind="fact") -> Grounding:
    return Grounding(unit=unit(world, unit_id), kind=kind, score=0.95, scores={f"{kind}:{unit_id}": 0.95})


def fresh() -> Conversation:
    return Conversation(scenario="intercom_gatekeeper", language="zh", seed=1)


def test_rules_are_a_named_table_tried_in_order():
    assert [rule.name for rule in RULES] == [
        "mistake",
        "commitment",
        "objection",
        "opening_move",
        "spin_question",
        "pitch",
        "other",
    ]


def test_a_situation_question_reveals_the_fact_it_is_about(world):
    conversation = fresh()
    ctx = turn(world, conversation, grounding=about(world, "timeline"), spin="situation")
    assert apply_rules(ctx) == "spin_question"
    assert [(u.kind, u.id) for u in ctx.revealed] == [("fact", "timeline")]
    assert ctx.voice.text in unit(world, "timeline").reveal.zh
    assert conversation.facts == ["timeline"] and conversation.state == "situation"
    assert conversation.last_unit == "fact:timeline"


def test_a_fact_already_told_is_recapped(world):
    conversation = fresh()
    apply_rules(turn(world, conversation, grounding=about(world, "timeline"), spin="situation"))
    again = turn(world, conversation, grounding=about(world, "timeline"), spin="situation")
    apply_rules(again)
    assert again.revealed == [] and again.voice.text in unit(world, "timeline").recap.zh
    assert "recap:fact:timeline" in again.events


def test_a_question_about_nothing_in_the_scenario_is_deflected(world):
    conversation = fresh()
    ctx = turn(world, conversation, spin="situation")
    apply_rules(ctx)
    assert ctx.revealed == [] and "off_script:unknown" in ctx.events
    assert ctx.voice.text in world[1].line("deflect_unknown").zh
    colleague = world[1].decision_chain[0]
    ctx = turn(world, conversation, grounding=Grounding(colleague=colleague, score=0.9), spin="situation")
    apply_rules(ctx)
    assert colleague.person.zh in ctx.voice.text and "off_script:colleague" in ctx.events


def test_an_implication_before_any_admitted_difficulty_gets_a_vague_answer_and_a_lead(world):
    conversation = fresh()
    ctx = turn(world, conversation, spin="implication")
    apply_rules(ctx)
    assert ctx.revealed == [] and conversation.implications == []
    assert ctx.voice.text in world[1].line("vague").zh
    assert ctx.note and ctx.note.text.startswith(world[0].lead("no_problem", "zh"))


def test_a_follow_up_worded_question_about_a_fact_with_nothing_to_follow_up_is_a_situation_question(world):
    # "项目的进度怎么安排？这对您有什么影响？": about the timeline, and nothing admitted yet
    conversation = fresh()
    ctx = turn(world, conversation, grounding=about(world, "timeline"), spin="implication")
    apply_rules(ctx)
    assert [(u.kind, u.id) for u in ctx.revealed] == [("fact", "timeline")]
    assert "question:situation" in ctx.events and "question:implication" not in ctx.events
    assert conversation.implications == [] and conversation.state == "situation"


@pytest.mark.parametrize(("difficulty", "unsure", "admitted"), [
    ("normal", True, True),  # the analyser is as ready to call it a problem question: it is asked as one
    ("easy", True, True),
    ("normal", False, False),  # a textbook implication presupposes the difficulty: nothing is admitted
    ("hard", True, False),  # a hard client admits nothing to a question that presupposes it
])  # fmt: skip
def test_an_implication_about_a_difficulty_not_yet_admitted(world, difficulty, unsure, admitted):
    conversation = fresh()
    apply_rules(turn(world, conversation, grounding=about(world, "current_system"), spin="situation"))
    ctx = turn(world, conversation, grounding=about(world, "maintenance_failures", "problem"),
               spin="implication", unsure=unsure, difficulty=difficulty)  # fmt: skip
    apply_rules(ctx)
    if admitted:
        assert [(u.kind, u.id) for u in ctx.revealed] == [("problem", "maintenance_failures")]
        assert "question:problem" in ctx.events and conversation.problems == ["maintenance_failures"]
    else:
        assert ctx.revealed == [] and conversation.problems == [] and "question:implication" in ctx.events
        assert ctx.note and ctx.note.text.startswith(world[0].lead("not_admitted", "zh"))


def test_a_follow_up_without_a_topic_is_about_the_difficulty_just_admitted(world):
    conversation = fresh()
    apply_rules(turn(world, conversation, grounding=about(world, "current_system"), spin="situation"))
    apply_rules(
        turn(world, conversation, grounding=about(world, "phase_compatibility", "problem"), spin="problem")
    )
    ctx = turn(world, conversation, spin="implication")  # "那对您有什么影响？": no unit of its own
    apply_rules(ctx)
    assert [(u.kind, u.id) for u in ctx.revealed] == [("implication", "phase_compatibility")]
    ctx = turn(world, conversation, spin="need_payoff")
    apply_rules(ctx)
    assert [(u.kind, u.id) for u in ctx.revealed] == [("need", "phase_compatibility")]
    assert conversation.state == "need_payoff"


def test_a_hard_client_wants_facts_first_and_an_easy_one_does_not(world):
    hard = turn(
        world,
        fresh(),
        grounding=about(world, "phase_compatibility", "problem"),
        spin="problem",
        difficulty="hard",
    )
    apply_rules(hard)
    assert hard.revealed == [] and hard.voice.text in world[1].line("guarded").zh
    easy = turn(
        world,
        fresh(),
        grounding=about(world, "phase_compatibility", "problem"),
        spin="problem",
        difficulty="easy",
    )
    apply_rules(easy)
    assert [u.id for u in easy.revealed] == ["phase_compatibility"]


def test_a_grounded_question_about_the_timeline_is_not_a_request_for_commitment(world):
    conversation = fresh()
    ctx = turn(world, conversation, text="下周设计院什么时候要对讲的技术要求？", grounding=about(world, "timeline"),
               spin="situation", move="ask_commitment")  # fmt: skip
    assert apply_rules(ctx) == "spin_question" and "asked_commitment" not in ctx.events


@pytest.mark.parametrize(("text", "asks"), [
    ("下周约个时间，请您去样板小区现场看看？", True),
    ("能不能约您下周二去参观一下样板？", True),
    ("业主爽约、物业约好了又不来的情况多吗？", False),  # "约" alone is no appointment
    ("大约要多少套设备？", False),
])  # fmt: skip
def test_a_commitment_needs_a_concrete_step_not_a_word_that_contains_one(world, text, asks):
    ctx = turn(world, fresh(), text=text, spin="problem", move="ask_commitment")
    apply_rules(ctx)
    assert ("asked_commitment" in ctx.events) is asks, ctx.events


def test_asking_who_the_boss_is_is_a_mistake_with_a_technical_gatekeeper_only(world):
    ctx = turn(world, fresh(), text="这个项目最后谁拍板？", spin="situation")
    assert apply_rules(ctx) == "mistake" and "who_is_boss" in ctx.events


def test_the_stage_machine_only_moves_forward():
    machine, conversation = StageMachine(), fresh()
    assert machine.advance(conversation, "to_problem") and conversation.state == "problem"
    assert not machine.advance(conversation, "to_situation") and conversation.state == "problem"
    assert machine.advance(conversation, "finish") and conversation.state == "debrief"
    assert "to_pitch" in machine.allowed("problem") and "to_situation" not in machine.allowed("problem")


@pytest.mark.parametrize(
    ("check", "events", "passed"),
    [
        ("implication_before_pitch", ["question:implication", "question:implication", "pitch"], True),
        ("implication_before_pitch", ["question:implication", "pitch", "question:implication"], False),
        ("need_before_pitch", ["pitch", "pitch_before_need"], False),
        ("need_before_pitch", ["pitch"], True),
        ("benefits_tied", ["benefit_tied", "benefit_untied"], False),
        ("clarify_before_present", ["objection_raised", "lscpa:clarify", "lscpa:present"], True),
        ("clarify_before_present", ["objection_raised", "argued", "lscpa:clarify"], False),
        ("asked_commitment", ["asked_commitment"], True),
        ("no_competitor_attack", ["competitor_attack"], False),
        ("no_boss_question", [], True),
    ],
)
def test_scorecard_checks_read_the_events(check, events, passed):
    assert CHECKS[check](events)[0] is passed


def test_a_timing_note_reads_as_one_sentence_in_english(world):
    coach = world[0]
    lead = coach.lead("off_script", "en")
    note = coach.timing_note("spin", "situation", "en", lead)
    assert note.text.startswith(lead + " ") and "  " not in note.text
    zh = coach.lead("off_script", "zh")
    assert not coach.timing_note("spin", "situation", "zh", zh).text.startswith(zh + " ")


@pytest.mark.parametrize(
    ("fact_score", "told"), [(0.93, "fact:timeline"), (0.88, "problem:maintenance_failures")]
)
def test_a_situation_question_takes_a_fact_scoring_close_to_the_difficulty_it_found(world, fact_score, told):
    conversation = fresh()
    conversation.facts.append("project_scale")  # a problem question would be timely
    grounding = Grounding(
        unit=unit(world, "maintenance_failures"), kind="problem", score=0.95,
        scores={"problem:maintenance_failures": 0.95, "fact:timeline": fact_score},
    )  # fmt: skip
    ctx = turn(world, conversation, grounding=grounding, spin="situation")
    apply_rules(ctx)
    assert [f"{u.kind}:{u.id}" for u in ctx.revealed] == [told]
