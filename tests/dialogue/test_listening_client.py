"""A client who listens: answers grounded in what was asked, recaps, deflections, pushback,
impatience, difficulty, context-aware SPIN labels, and what was learned (real model, real engine).

The questions here are our own; they are not taken from any evaluation set."""

from __future__ import annotations

import pytest

from service.dialogue.client_evaluation import revealed_units, unit_variants
from service.dialogue.conversation import Conversation
from service.errors import InvalidInput

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GREETING = {
    "zh": "王工您好，今天主要想了解一下项目的技术需求。",
    "en": "Hello Mr Wang, I'd like to understand the project's technical needs today.",
}


def play(services, lines, language="zh", scenario="intercom_gatekeeper", difficulty=None):
    engine = services.rehearsal
    conversation, _ = engine.start(scenario, language, seed=3, difficulty=difficulty)
    replies = []
    for line in lines:
        conversation = Conversation.from_dict(conversation.to_dict())
        replies.append(engine.reply(conversation, line))
    return conversation, replies


def told(services, reply, scenario="intercom_gatekeeper"):
    """Every unit the reply's text or its revealed list gives away."""
    variants = unit_variants(services.rehearsal.scenario(scenario))
    return set(revealed_units(reply.to_dict(), variants))


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("zh", "技术标准和对讲品牌最后是由哪个部门来定的？"),
        ("en", "Which department ends up deciding the intercom standard and brand?"),
    ],
)
def test_a_situation_question_gets_the_fact_it_asks_about_not_the_next_in_file_order(
    services, language, question
):
    _, replies = play(services, [GREETING[language], question], language)
    reply = replies[-1]
    assert [(u.kind, u.id) for u in reply.revealed] == [("fact", "decision_process")]
    assert told(services, reply) == {"fact:decision_process"}  # not project_scale, the first fact
    assert reply.analysis["spin"] == "situation"


def test_asking_again_gets_a_recap_and_reveals_nothing_new(services):
    conversation, replies = play(services, [GREETING["zh"], "一期一共多少户？", "一期大概是多少户来着？"])
    assert [u.id for u in replies[1].revealed] == ["project_scale"]
    again = replies[2]
    assert again.revealed == [] and "recap:fact:project_scale" in again.events
    recaps = services.rehearsal.scenario("intercom_gatekeeper").facts[0].recap
    assert again.client in recaps.zh
    assert conversation.facts == ["project_scale"]


@pytest.mark.parametrize(
    ("language", "question", "kind"),
    [
        ("zh", "锦澜置业今年在外地还有新项目吗？", "off_script:unknown"),
        ("en", "Does Jinlan have other projects outside the city this year?", "off_script:unknown"),
        ("zh", "对讲这块的目标成本大概控制在多少？", "off_script:colleague"),
        ("en", "What target cost have you set for the intercom package?", "off_script:colleague"),
    ],
)
def test_a_question_the_scenario_does_not_cover_is_deflected_revealing_nothing(
    services, language, question, kind
):
    _, replies = play(services, [GREETING[language], question], language)
    reply = replies[-1]
    assert kind in reply.events
    assert reply.client and reply.revealed == [] and told(services, reply) == set()
    if kind == "off_script:colleague":  # names the person whose area it is
        person = services.rehearsal.scenario("intercom_gatekeeper").decision_chain[0].person
        assert person.get(language) in reply.client


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("zh", "你们现在的对讲系统不好用吧？"),
        ("en", "Your current intercom system must be a real headache, isn't it?"),
    ],
)
def test_a_leading_question_gets_pushback_not_a_difficulty(services, language, question):
    conversation, replies = play(services, [GREETING[language], question], language)
    assert "leading_question" in replies[-1].events
    assert replies[-1].revealed == [] and conversation.problems == []
    assert replies[-1].coach.citations  # the coach says why, with the handbook behind it


def test_difficulties_are_admitted_to_a_problem_question_and_followed_up_in_context(services):
    lines = [GREETING["en"], "What's been giving you trouble with the current system day to day?",
             "How does that affect you?", "What would it mean for you if that were solved?"]  # fmt: skip
    conversation, replies = play(services, lines, "en")
    problem, implication, need = replies[1:]
    assert [(u.kind, u.id) for u in problem.revealed] == [("problem", "maintenance_failures")]
    assert implication.analysis["spin"] == "implication"  # short and context-dependent
    assert [(u.kind, u.id) for u in implication.revealed] == [("implication", "maintenance_failures")]
    assert need.analysis["spin"] == "need_payoff"
    assert [(u.kind, u.id) for u in need.revealed] == [("need", "maintenance_failures")]
    assert (
        conversation.problems == conversation.implications == conversation.needs == ["maintenance_failures"]
    )


def test_a_hard_client_admits_nothing_to_a_vague_problem_question(services):
    question = "Anything you're unhappy with at the moment?"
    _, normal = play(services, ["Hello.", question], "en", "telecom_deputy_director")
    _, hard = play(services, ["Hello.", question], "en", "telecom_deputy_director", difficulty="hard")
    assert [u.kind for u in normal[-1].revealed] == ["problem"]
    assert hard[-1].revealed == [] and hard[-1].difficulty == "hard"


def test_a_run_of_background_questions_makes_the_client_impatient(services):
    lines = [
        "您好。",
        "一期有多少户？",
        "现在用的是哪家的对讲？",
        "什么时候定技术要求？",
        "品牌最后是怎么定的？",
    ]
    _, hard = play(services, lines, difficulty="hard")  # patience 3
    assert "impatient" in hard[-1].events and "impatient" not in hard[-2].events
    _, easy = play(services, lines, difficulty="easy")  # patience 6
    assert not any("impatient" in reply.events for reply in easy)


def test_the_scorecard_lists_what_was_learned_and_what_was_never_found_out(services):
    lines = [GREETING["zh"], "一期一共多少户？", "现在的系统日常用下来，有哪些让您不省心的地方？", "评分"]
    _, replies = play(services, lines)
    card = replies[-1].scorecard
    assert [(u.kind, u.id) for u in card.learned] == [
        ("fact", "project_scale"),
        ("problem", "maintenance_failures"),
    ]
    missed = {(u.kind, u.id): u.question for u in card.missed}
    assert missed[("fact", "timeline")] == "situation"
    assert missed[("problem", "phase_compatibility")] == "problem"
    assert missed[("implication", "maintenance_failures")] == "implication"
    assert missed[("need", "maintenance_failures")] == "need_payoff"
    assert ("fact", "project_scale") not in missed and ("problem", "maintenance_failures") not in missed
    assert all(u.text for u in card.missed)  # what it was about, in the rehearsal's language


def test_an_unknown_difficulty_is_a_clear_error(services):
    with pytest.raises(InvalidInput, match="difficulty"):
        services.rehearsal.start("intercom_gatekeeper", "zh", difficulty="brutal")


@pytest.mark.parametrize(
    ("language", "agenda"),
    [
        ("zh", "您好，今天想花二十分钟了解一下项目的情况，您看方便吗？"),
        ("en", "Good morning — could I take twenty minutes to understand where the project stands?"),
    ],
)
def test_an_agenda_in_question_form_is_answered_as_an_opening_and_the_hint_moves_on(
    services, language, agenda
):
    _, replies = play(services, [agenda], language)
    reply = replies[0]
    assert reply.analysis["move"] == "agenda"
    assert reply.revealed == [] and not any(e.startswith("deflect") for e in reply.events)
    assert "agenda" in reply.events
    stated = services.rehearsal.coach.suggestions("agenda_stated", language)
    assert reply.suggestions == stated != services.rehearsal.coach.suggestions("opening", language)


def test_an_opening_agenda_naming_a_difficulty_s_area_admits_nothing(services):
    agenda = "您好，今天想了解一下对讲设备日常维护方面的情况，大概占用您二十分钟，可以吗？"
    _, replies = play(services, [agenda])
    reply = replies[0]
    assert reply.analysis["move"] == "agenda"
    assert reply.revealed == [] and told(services, reply) == set()
    assert "agenda" in reply.events


def test_an_opening_that_asks_for_leave_reveals_nothing_but_an_opening_fact_question_is_answered(services):
    leave = "我带了几个问题，想先弄清楚这个项目的基本情况，您看可以吗？"
    _, replies = play(services, [leave])
    assert replies[0].revealed == [] and "agenda" in replies[0].events
    asked = "今天想先了解一下，锦澜湾一期一共有多少户？"
    _, replies = play(services, [asked])
    assert [u.id for u in replies[0].revealed] == ["project_scale"]


def test_the_reply_shows_the_spin_kind_the_question_was_taken_as(services):
    # worded like an implication, but nothing is admitted yet and it asks about the difficulty itself
    _, replies = play(
        services, [GREETING["zh"], "这个项目一共有多少户？", "每年物业在对讲维修上大概要花多少钱？"]
    )
    last = replies[-1]
    assert "question:problem" in last.events
    assert last.analysis["spin"] == "problem"


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("zh", "一期大概是多少户？我好先估一下门口机的数量。"),
        ("en", "Roughly how many flats are in phase one? I'd like to size the door stations."),
    ],
)
def test_a_question_followed_by_the_reason_for_it_is_still_a_question(services, language, question):
    _, replies = play(services, [GREETING[language], question], language)
    assert [u.id for u in replies[-1].revealed] == ["project_scale"]
    assert replies[-1].analysis["is_question"] is True


@pytest.mark.parametrize(
    ("language", "leave_then_question"),
    [
        ("zh", "我先问几个基本情况，您看可以吧。锦澜湾一期一共有多少户？"),
        ("en", "Let me start with the basics, if that's okay. How many homes are in phase one?"),
    ],
)
def test_leave_asked_before_a_fact_question_does_not_swallow_the_question(
    services, language, leave_then_question
):
    _, replies = play(services, [leave_then_question], language)
    assert [u.id for u in replies[0].revealed] == ["project_scale"]


def test_a_question_about_a_fact_in_no_spin_wording_is_answered_not_met_with_small_talk(services):
    # colloquial, no situation-question cue: the analyser reads small talk; it still asks for a fact
    greeting = "张主任您好，我是做员工福利的小李。"
    conversation, replies = play(
        services, [greeting, "往年的东西分别是啥？我们想换点新花样。"], scenario="welfare_group_purchase"
    )
    assert [u.id for u in replies[-1].revealed] == ["past_gifts"]
    assert conversation.transcript[-2].spin == "situation"


def test_an_aside_after_the_question_does_not_hide_what_it_asks_about(services):
    lines = ["Hi Mr Li, thanks for seeing me.",
             "So how many projects are you buying for right now? Just want a feel for the volume."]  # fmt: skip
    _, replies = play(services, lines, "en", scenario="purchasing_manager_screening")
    assert [u.id for u in replies[-1].revealed] == ["projects_volume"]


def test_a_reference_case_stated_as_evidence_is_heard_as_a_pitch(services):
    # evidence in plain words, no product named: FABE scores it below 0.5, but it is still a pitch
    lines = ["刘局您好，我是华信科技的小陈。", "我们在邻省做过类似项目，套餐配置时间从两个月缩到十天。"]
    _, replies = play(services, lines, scenario="telecom_deputy_director")
    assert "pitch" in replies[-1].events


def test_a_follow_up_about_nothing_in_particular_is_not_taken_for_an_agenda_later_on(services):
    lines = [GREETING["zh"], "一期一共多少户？", "现在这套对讲系统用下来，有没有什么让您头疼的地方？",
             "会不会影响到业主的日常使用，比如访客、门禁这些？"]  # fmt: skip
    _, replies = play(services, lines)
    assert [(u.kind, u.id) for u in replies[2].revealed] == [("problem", "phase_compatibility")]
    assert [(u.kind, u.id) for u in replies[3].revealed] == [("implication", "phase_compatibility")]


def test_a_follow_up_that_points_back_stays_on_the_difficulty_just_discussed(services):
    # "revenue" is what the other difficulty (unbilled revenue) is about; "that" is the slow launches
    lines = ["Director Liu, thanks for seeing me.", "Which services will the new platform cover?",
             "How long does it take today to get a new tariff out?",
             "And how does that affect this year's revenue target?"]  # fmt: skip
    _, replies = play(services, lines, "en", scenario="telecom_deputy_director")
    assert [(u.kind, u.id) for u in replies[2].revealed] == [("problem", "launch_speed")]
    assert [(u.kind, u.id) for u in replies[3].revealed] == [("implication", "launch_speed")]


def test_a_problem_worded_question_pointing_back_at_an_admitted_difficulty_asks_its_consequences(services):
    lines = [GREETING["en"], "What's been giving you trouble with the current system day to day?",
             "Does that mean residents end up stuck outside their own building?"]  # fmt: skip
    _, replies = play(services, lines, "en")
    assert [(u.kind, u.id) for u in replies[2].revealed] == [("implication", "maintenance_failures")]
    assert replies[2].analysis["spin"] == "implication"  # the analyser alone says "problem"


def test_everyday_words_around_a_problem_question_do_not_count_as_unknown_topics(services):
    # "您有没有感觉，其实有些本该…": words of any question, not a topic the scenario lacks
    lines = ["刘局您好。", "新平台要覆盖哪些业务？", "您有没有感觉，其实有些本该收到的话费，最后没收上来？"]
    _, replies = play(services, lines, scenario="telecom_deputy_director")
    assert [(u.kind, u.id) for u in replies[2].revealed] == [("problem", "revenue_leakage")]


def test_a_problem_question_pointing_back_at_the_fact_just_told_admits_a_difficulty(services):
    lines = [GREETING["en"], "Which intercom system do your current estates use?", "How has it held up?"]
    _, replies = play(services, lines, "en")
    assert [u.id for u in replies[1].revealed] == ["current_system"]
    assert [u.kind for u in replies[2].revealed] == ["problem"]  # not "too vague": "it" is that system
    assert replies[2].analysis["spin"] == "problem"


@pytest.mark.parametrize(
    ("language", "proposal"),
    [
        ("zh", "那我们下周二上午带工程师过来，跟您和设计院一起把对讲方案过一遍，您看行吗？"),
        ("en", "Would you be open to a session with our engineers and the design institute next Thursday?"),
    ],
)
def test_a_next_step_offered_is_asked_as_a_commitment_not_as_a_question_about_a_fact(
    services, language, proposal
):
    _, replies = play(services, [GREETING[language], proposal], language)
    reply = replies[-1]
    assert "asked_commitment" in reply.events
    assert reply.revealed == []
