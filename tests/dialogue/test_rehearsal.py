"""Scripted rehearsals through the real engine (real analyser, real index for the citations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.dialogue.conversation import Conversation
from service.errors import InvalidInput

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPTS = Path(__file__).parent / "scripts"
POOR_FAILS = {"implication_before_pitch", "need_before_pitch", "clarify_before_present", "asked_commitment"}


def run(services, scenario: str, language: str, lines: list[str], seed: int = 1):
    """Play a script; the conversation goes through to_dict/from_dict between turns, as a server would."""
    conversation, reply = services.rehearsal.start(scenario, language, seed)
    replies = [reply]
    for line in lines:
        conversation = Conversation.from_dict(conversation.to_dict())
        replies.append(services.rehearsal.reply(conversation, line))
    return conversation, replies


def script(name: str) -> list[str]:
    return [line for line in (SCRIPTS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("scenario", "language"), [("intercom_gatekeeper", "zh"), ("telecom_deputy_director", "en")]
)
def test_a_good_rehearsal_reaches_debrief_with_every_check_passed(services, scenario, language):
    _conversation, replies = run(services, scenario, language, script(f"{scenario}.good.{language}.txt"))
    last = replies[-1]
    assert last.stage == "debrief" and last.done
    card = last.scorecard
    assert card is not None and card.score == 100
    assert all(check.passed for check in card.checks), [
        (c.id, c.evidence) for c in card.checks if not c.passed
    ]
    assert card.question_counts["implication"] >= 2 and card.question_counts["need_payoff"] >= 1
    assert 0.2 < card.talk_ratio < 0.8
    stages = [r.stage for r in replies]
    for stage in ("situation", "problem", "implication", "need_payoff", "objection", "commitment", "debrief"):
        assert stage in stages, stages
    # every salesperson turn is analysed, and coached turns cite the handbooks
    for reply in replies[1:]:
        assert reply.analysis and reply.client
        assert reply.language == language
        if reply.coach and reply.coach.citations:
            assert all(c.doc and c.section and c.text for c in reply.coach.citations)
    assert sum(bool(r.coach and r.coach.citations) for r in replies[1:]) >= len(replies) - 3


@pytest.mark.parametrize(
    ("scenario", "language"), [("intercom_gatekeeper", "zh"), ("telecom_deputy_director", "en")]
)
def test_a_poor_rehearsal_fails_exactly_the_checks_it_broke(services, scenario, language):
    _, replies = run(services, scenario, language, script(f"{scenario}.poor.{language}.txt"))
    card = replies[-1].scorecard
    assert card is not None and replies[-1].done
    failed = {check.id for check in card.checks if not check.passed}
    assert failed == POOR_FAILS
    assert card.score < 50
    for check in card.checks:
        if not check.passed:
            assert check.advice and check.citations  # what to do instead, with the handbook behind it


def test_the_client_reveals_pains_only_to_the_right_kind_of_question(services):
    conversation, replies = run(
        services, "intercom_gatekeeper", "zh", ["如果维修一直这么慢，会导致什么后果？"]
    )
    assert "question:implication" in replies[-1].events
    assert conversation.implications == []  # no difficulty admitted yet: vague answer
    assert replies[-1].client in services.rehearsal.scenario("intercom_gatekeeper").line("vague").zh


def test_asking_a_technical_gatekeeper_who_the_boss_is_is_recognised(services):
    lines = ["这个项目最后谁拍板？", "score"]
    _, replies = run(services, "intercom_gatekeeper", "zh", lines)
    assert "who_is_boss" in replies[1].events
    assert "老板" in replies[1].coach.text
    card = replies[2].scorecard
    assert {c.id for c in card.checks if not c.passed} >= {"no_boss_question"}
    assert not replies[2].done  # score does not end the rehearsal


def test_running_down_a_competitor_is_recognised(services):
    _, replies = run(
        services, "telecom_deputy_director", "en", ["Honestly, the other vendors are junk.", "quit"]
    )
    assert "competitor_attack" in replies[1].events
    failed = {c.id for c in replies[2].scorecard.checks if not c.passed}
    assert "no_competitor_attack" in failed


def test_stages_only_move_forward(services):
    conversation, _ = run(
        services, "intercom_gatekeeper", "zh", script("intercom_gatekeeper.good.zh.txt")[:9]
    )
    assert conversation.state == "objection"
    reply = services.rehearsal.reply(conversation, "你们公司有多少人？")
    assert reply.stage == "objection" and conversation.state == "objection"


def test_commands_help_hint_score_restart_quit(services):
    conversation, replies = run(
        services, "intercom_gatekeeper", "en", ["help", "hint", "What is the project's size?"]
    )
    assert replies[1].command == "help" and "restart" in replies[1].coach.text
    assert replies[2].command == "hint" and replies[2].coach.text
    assert conversation.turn == 1
    restarted = services.rehearsal.reply(conversation, "restart")
    assert (
        restarted.command == "restart" and conversation.state == "opening" and conversation.transcript == []
    )
    quit_reply = services.rehearsal.reply(conversation, "quit")
    assert quit_reply.done and quit_reply.scorecard is not None and conversation.state == "debrief"
    after = services.rehearsal.reply(conversation, "Hello again")
    assert after.done and after.client is None  # finished: nothing more is applied


def test_unknown_slash_commands_and_odd_input_are_just_messages(services):
    conversation, replies = run(services, "intercom_gatekeeper", "zh", ["/frobnicate", "？？？", "asdfgh"])
    assert all(reply.client for reply in replies[1:])
    assert conversation.state == "opening"


def test_unknown_scenario_and_empty_message_are_clear_errors(services):
    with pytest.raises(InvalidInput, match="unknown scenario"):
        services.rehearsal.start("no_such_scenario", "zh")
    conversation, _ = services.rehearsal.start("intercom_gatekeeper", "zh")
    with pytest.raises(InvalidInput):
        services.rehearsal.reply(conversation, "   ")


def test_every_scenario_plays_in_both_languages(services):
    for scenario in services.rehearsal.scenarios:
        for language, line in (
            ("zh", "您好，今天想了解一下项目的情况，您看可以吗？"),
            ("en", "Hello, could you tell me how many people use the current system?"),
        ):
            _conversation, replies = run(services, scenario, language, [line, "quit"])
            assert replies[1].client and replies[2].scorecard is not None
