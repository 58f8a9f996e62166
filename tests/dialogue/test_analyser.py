"""Each label is recognised on fresh utterances (not exemplars, not dev lines) in both languages."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput

pytestmark = pytest.mark.integration

SINGLE = [
    ("spin", "situation", "你们物流中心现在有几个分拣员?"),
    ("spin", "situation", "How many delivery vans does the bakery run each morning?"),
    ("spin", "problem", "现在的收银系统经常卡顿吗?"),
    ("spin", "problem", "Is the old switchboard difficult for the receptionists to use?"),
    ("spin", "implication", "收银一卡顿，排队的顾客会不会直接走掉?"),
    ("spin", "implication", "What happens to your weekend sales when the vans break down?"),
    ("spin", "need_payoff", "如果结账速度提高一倍，对门店的营业额有什么帮助?"),
    ("spin", "need_payoff", "How would a simpler switchboard help your front desk?"),
    ("spin", "other", "我们的收银机去年卖出了一万多台。"),
    ("spin", "other", "I'll email you the brochure this afternoon."),
    ("lscpa", "listen", "嗯，您慢慢说，我都在听。"),
    ("lscpa", "listen", "Please go on, I'm listening."),
    ("lscpa", "share", "我理解，谁都不想在旺季换系统。"),
    ("lscpa", "share", "I understand, nobody wants to change systems in peak season."),
    ("lscpa", "clarify", "您说的不方便，是指安装时间还是付款方式?"),
    ("lscpa", "clarify", "Apart from the installation date, is anything else bothering you?"),
    ("lscpa", "present", "我们可以先借一台收银机给您试用两周。"),
    ("lscpa", "present", "We could lend you one till for a two-week trial."),
    ("lscpa", "ask", "那我明天上午把样机送过去，您看可以吗?"),
    ("lscpa", "ask", "Shall I bring the demo unit round tomorrow morning?"),
    ("moves", "greeting", "孙经理，下午好!"),
    ("moves", "greeting", "Good morning, Ms. Park, nice to see you."),
    ("moves", "off_topic", "帮我写一首关于大海的诗。"),
    ("moves", "off_topic", "Tell me a joke about cats."),
    ("moves", "small_talk", "今天外面好热啊，路上都快晒化了。"),
    ("moves", "small_talk", "How was your trip to Shanghai?"),
]

FABE = [
    ("feature", "这台收银机配备了双屏和热敏打印模块。"),
    ("feature", "The till has a built-in card reader and a thermal printer."),
    ("advantage", "它的开机速度比老款收银机快一倍。"),
    ("advantage", "It boots twice as fast as the older tills."),
    ("benefit", "您的收银员不用再手工对账，下班能早半小时。"),
    ("benefit", "Your cashiers won't have to count the drawer by hand any more."),
    ("evidence", "我们已经给三百多家便利店装了这款收银机，这是他们的评价报告。"),
    ("evidence", "Over 300 convenience stores use this till; here is their feedback report."),
]

COMMANDS = [("help", "help"), ("help", "/帮助"), ("hint", "提示"), ("hint", "Hint!"), ("restart", "重新开始"),
            ("restart", "/restart"), ("score", "score"), ("score", "我的得分"), ("quit", "退出"), ("quit", "QUIT")]  # fmt: skip


@pytest.mark.parametrize(("framework", "label", "text"), SINGLE)
def test_single_label_frameworks_recognise_fresh_utterances(analyser, framework, label, text):
    result = analyser.classify(text, framework)
    assert result.label == label, result.scores
    assert result.labels == [label]
    assert result.language == ("en" if text.isascii() else "zh")


@pytest.mark.parametrize(("label", "text"), FABE)
def test_fabe_recognises_fresh_utterances(analyser, label, text):
    result = analyser.classify(text, "fabe")
    assert result.label is None
    assert label in result.labels, result.scores
    assert len(result.labels) <= 2


@pytest.mark.parametrize(("label", "text"), COMMANDS)
def test_commands_match_exact_keywords(analyser, label, text):
    result = analyser.classify(text, "moves")
    assert result.label == label and result.command and result.confidence == 1.0


def test_a_command_word_inside_a_sentence_is_not_a_command(analyser):
    assert not analyser.classify("Can you help me understand your budget?", "moves").command


def test_statement_is_never_a_spin_question(analyser):
    result = analyser.classify("这个问题对你们的影响很大，解决了会有很大帮助。", "spin")
    assert result.label == "other" and not result.is_question


@pytest.mark.parametrize("text", ["asdkj qwpoe zmxn", "lorem ipsum dolor sit amet", "那个……这个……"])
def test_gibberish_is_unsure_for_spin(analyser, text):
    assert analyser.classify(text, "spin").unsure


def test_gibberish_is_unsure_for_moves(analyser):
    assert analyser.classify("asdkj qwpoe zmxn", "moves").unsure


def test_scores_are_probabilities(analyser):
    result = analyser.classify("这样会不会让你们的客户流失?", "spin")
    assert set(result.scores) == {"situation", "problem", "implication", "need_payoff", "other"}
    assert all(0.0 <= value <= 1.0 for value in result.scores.values())
    assert result.confidence == max(result.scores.values())


def test_analyse_returns_every_part_from_one_embedding(analyser, monkeypatch):
    calls = []
    original = analyser.embedder.embed_queries
    monkeypatch.setattr(
        analyser.embedder, "embed_queries", lambda texts: calls.append(texts) or original(texts)
    )
    analysis = analyser.analyse("What would it mean for your team if the line stopped for a day?")
    assert len(calls) == 1
    assert analysis.language == "en" and analysis.is_question
    assert analysis.spin.framework == "spin" and analysis.spin.label == "implication"
    assert analysis.fabe.framework == "fabe" and analysis.fabe.labels
    assert analysis.lscpa.framework == "lscpa" and analysis.lscpa.label
    assert analysis.move.framework == "moves" and analysis.move.label
    assert set(analysis.by_framework) == {"spin", "fabe", "lscpa", "moves"}


def test_warm_up_is_idempotent(analyser):
    vectors = analyser.scorers["spin"].vectors
    analyser.warm_up()
    assert analyser.scorers["spin"].vectors is vectors


def test_bad_input_is_rejected(analyser):
    with pytest.raises(InvalidInput):
        analyser.classify("   ", "spin")
    with pytest.raises(InvalidInput):
        analyser.classify("hello", "bant")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # "what would it mean if the difficulty went away" is the textbook need-payoff question ...
        ("If the wrong shipments went away, what would that mean for you?", "need_payoff"),
        ("What would it mean for you if the billing errors were fixed?", "need_payoff"),
        ("如果发错货的问题没有了，对您意味着什么？", "need_payoff"),
        # ... and "what would it mean if it went wrong" the textbook implication question
        ("What would it mean for your team if the line went down for a day?", "implication"),
        ("要是系统一旦宕机，对你们的业务意味着什么？", "implication"),
    ],
)
def test_what_it_would_mean_depends_on_whether_the_difficulty_goes_away_or_happens(analyser, text, label):
    assert analyser.classify(text, "spin").label == label


@pytest.mark.parametrize(
    ("text", "is_question"),
    [
        ("一期有几栋楼？", True),
        ("一期有几栋楼，大概多少户", True),
        ("每年大概发几次福利？我们好排产。", True),
        ("Who signs the budget? I want to plan the next steps.", True),
        ("That makes sense. Which department drafts the proposal", True),
        ("今天主要想了解项目的几个时间节点。", False),  # announces questions, asks none
        ("我想请教几个问题，再介绍我们的做法。", False),
        ("We cut downtime by a third at a similar site. Happy to share the data.", False),
    ],
)
def test_a_question_is_told_from_a_statement_in_any_sentence(analyser, text, is_question):
    assert analyser.analyse(text).is_question is is_question


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Could that push back the opening of the new wing?", "implication"),
        ("Does that put you under pressure with the board?", "implication"),
        ("成本这块压力大吗？", "problem"),  # pressure asked about, not caused: still a problem question
        ("漏单的话，一般会带来什么麻烦？", "implication"),  # the trouble it brings, not the trouble itself
        ("现在漏单的情况多吗？", "problem"),
    ],
)
def test_consequences_for_the_buyer_are_implication_questions(analyser, text, label):
    assert analyser.classify(text, "spin").label == label
