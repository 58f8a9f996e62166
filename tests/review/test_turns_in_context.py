"""Turns read in their visit's context. A next step counts as agreed when a concrete proposal (a
time, and people or an action) is accepted, also after a question about it or with another time
offered back and taken; not a vague step, a postponement, a conditional yes, or an "okay" to
something else. A turn that says something and then asks is tagged by its question."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration]

ZH = "销售：您好，咱们现在有几个仓库？\n客户：三个，都在城东。\n"
EN = "Me: Hi, how many warehouses do you run today?\nClient: Three, all east of town.\n"
CASES = [
    ("zh", "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：好的，下周三上午见。", True),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：行，不过我十一点还有个会，得早点开始。",
        True,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：下周我出差，回头再说吧。",
        False,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：周三不行，周四下午可以吗？\n销售：可以，那就周四下午两点。\n客户：好。",
        True,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：你先把资料发我看看吧。\n销售：好的，我今天就发给您。\n客户：好的，谢谢。",
        False,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：要多长时间？\n销售：一个小时左右。\n客户：行，那就下周三上午。",
        True,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：我得先问问我们老板，下周再给你答复。",
        False,
    ),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：好啊，但是价格得先给我们报一下。",
        True,
    ),
    ("zh", "销售：那我们保持联系？\n客户：好的。", False),
    (
        "zh",
        "销售：下周三上午我带工程师来给您的团队做个演示，您看可以吗？\n客户：这个月都排满了，下个月再说吧。",
        False,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Sure, Wednesday morning works.",
        True,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Yes, but I have a hard stop at eleven, so let's start early.",
        True,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Next week I'm travelling. Let me check with my boss and get back to you.",
        False,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Wednesday is bad, how about Thursday afternoon?\nMe: Thursday at 2 then.\nClient: Great.",
        True,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Can you send me a brochure first?\nMe: Sure, I'll email it today.\nClient: Okay, thanks.",
        False,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: How long would it take?\nMe: About an hour.\nClient: Okay, Wednesday morning then.",
        True,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Maybe next month, we're swamped this week.",
        False,
    ),
    ("en", "Me: Let's stay in touch?\nClient: Sure.", False),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: Sounds good, but only if you can show the pricing first.",
        False,
    ),
    (
        "en",
        "Me: Could I bring our engineer next Wednesday morning to demo it for your team?\nClient: I'd have to think about it.",
        False,
    ),
]


@pytest.mark.parametrize(
    ("lang", "ending", "agreed"), CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)]
)
def test_a_next_step_counts_only_when_a_concrete_one_is_accepted(
    reviewer, lang: str, ending: str, agreed: bool
) -> None:
    review = reviewer.review((ZH if lang == "zh" else EN) + ending, lang=lang)
    assert review.metrics["next_step_agreed"] is agreed


BASE = {
    "zh": "销售：您好，咱们现在有几个仓库？\n客户：三个，都在城东。\n销售：{}\n客户：嗯。\n",
    "en": "Me: How many warehouses do you run today?\nClient: Three, all east of town.\nMe: {}\nClient: Hm.\n",
}


@pytest.mark.parametrize(
    ("lang", "line", "kind"),
    [
        (
            "zh",
            "我们的系统上线很快，一周就能用起来，价格也实惠。您这边拣货用的是纸单还是手持终端？",
            "situation",
        ),
        ("zh", "我们有扫码复核，拣错会当场报警。要是拣错的情况没有了，对您意味着什么？", "need_payoff"),
        (
            "en",
            "Our system goes live in a week and costs less than you'd think. How many orders go out on a normal day?",
            "situation",
        ),
        (
            "en",
            "We scan every pick and flag a wrong item on the spot. If wrong picks went away, what would that mean for you?",
            "need_payoff",
        ),
    ],
)
def test_a_turn_that_says_something_and_then_asks_is_tagged_by_its_question(
    reviewer, lang: str, line: str, kind: str
) -> None:
    review = reviewer.review(BASE[lang].format(line), lang=lang)
    assert [t.spin for t in review.turns if t.role == "salesperson"][1] == kind
