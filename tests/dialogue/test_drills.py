"""Single-framework drills judged by the real analyser."""

from __future__ import annotations

import pytest

from service.dialogue.drills import DrillState
from service.errors import InvalidInput

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANSWERS = {
    "spin_implication_intercom": (
        "维修要等好几天的话，业主投诉会不会影响物业的口碑？",
        "你们公司有多少员工？",
    ),
    "lscpa_price": ("您说价格贵，是和哪家的方案比较的呢？", "我们可以给您打九折。"),
    "fabe_benefit_evidence": (
        "远程诊断让您的维修上门次数减少一半；这是万科三个小区的验收报告。",
        "我们的对讲主机支持远程诊断。",
    ),
}


@pytest.mark.parametrize("drill_id", sorted(ANSWERS))
def test_right_and_wrong_answers_are_judged_with_a_citation(services, drill_id):
    framework = drill_id.split("_")[0]
    state, first = services.drills.start(framework, "zh", seed=0)
    assert first.prompt
    state = DrillState.from_dict({**state.to_dict(), "order": [drill_id, drill_id]})
    good, bad = ANSWERS[drill_id]
    right = services.drills.reply(state, good)
    assert right.events == ["passed"], right.coach.text
    assert right.coach.citations and right.coach.text.startswith("✓")
    wrong = services.drills.reply(state, bad)
    assert wrong.events == ["missed"] and wrong.coach.text.startswith("✗")
    assert state.finished and "1" in wrong.coach.text  # summary: 1 of 2


def test_drill_in_english_and_commands(services):
    state, reply = services.drills.start("spin", "en", seed=1)
    assert reply.prompt and reply.language == "en"
    hint = services.drills.reply(state, "hint")
    assert hint.command == "hint" and hint.prompt == reply.prompt
    done = services.drills.reply(state, "quit")
    assert done.done and "Drill finished" in done.coach.text


def test_unknown_framework_is_rejected(services):
    with pytest.raises(InvalidInput, match="unknown framework"):
        services.drills.start("swot", "zh")
