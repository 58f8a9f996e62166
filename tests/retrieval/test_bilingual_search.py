"""Search on both sides of the translation, English answers in English, cards found by meaning, and a
bounded cost for long questions (real model, real index)."""

from __future__ import annotations

import pytest

from service.text import MAX_FOCUS_CHARS, focus

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_english_questions_search_the_english_text_too(services):
    signals, _, _ = services.search.signals(
        "How should I handle a purchasing manager who only cares about price?", "en"
    )
    assert {
        "dense",
        "dense_expanded",
        "keyword",
        "dense_en",
        "keyword_en",
        "questions",
        "questions_keyword",
    } <= signals.keys()
    assert signals["keyword_en"].max() > 0  # the stemmed English BM25 finds the question's words
    chinese, _, _ = services.search.signals("怎么接近技术把关者？", "zh")
    assert "keyword_en" not in chinese and chinese["keyword"].max() > 0


@pytest.mark.parametrize("query", ["How do I win over the client's engineer?", "如何发展内线？"])
def test_every_hit_carries_its_english_beside_the_original(services, query):
    for hit in services.search.search(query, 5).hits:
        assert hit.passage.text and hit.passage.text_en and hit.passage.section_en


def test_an_english_answer_is_in_english_with_the_chinese_original_beside_each_quote(services):
    answer = services.answerer.ask("What gifts are appropriate for a client?")
    assert answer.found and answer.language == "en" and answer.card is None
    quotes = [line for line in answer.answer.splitlines() if line[:2].rstrip(".").isdigit()]
    assert quotes and all("原文:" in line for line in quotes)
    english = [line.split("— 原文:")[0] for line in quotes]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in part) for part in english)
    assert all(c.text_en for c in answer.citations)


@pytest.mark.parametrize("question", ["What should go into my visit plan?", "准备拜访要填什么表？"])
def test_paraphrases_reach_the_right_card(services, question):
    assert services.answerer.ask(question).card == "visit_planning"


@pytest.mark.parametrize(
    "question",
    ["客户说我们比竞争对手贵20%，我该怎么回？", "Client says the other vendor is 15% cheaper. What now?"],
)
def test_a_price_objection_gets_objection_handling_citing_the_price_example(services, question):
    answer = services.answerer.ask(question)
    assert answer.card == "lscpa"
    assert any("价格贵是指的同样的配置" in c.text for c in answer.citations)


def test_an_english_card_answer_quotes_the_handbook_in_english(services):
    answer = services.answerer.ask("How do I approach a technical gatekeeper?")
    assert answer.card == "technical_gatekeeper"
    assert "原文:" in answer.answer


def test_a_long_question_is_searched_by_its_focus(services, monkeypatch):
    seen: list[str] = []
    embedder = services.index.embedder
    original = embedder.embed_queries

    def recording(texts):
        seen.extend(texts)
        return original(texts)

    monkeypatch.setattr(embedder, "embed_queries", recording)
    question = "我们公司做楼宇对讲，这个客户的工程部经理很难打交道，" * 40 + "请问怎么接近技术把关者？"
    result = services.search.search(question[-2000:], 5)
    assert seen and all(
        len(text) <= MAX_FOCUS_CHARS + 40 for text in seen
    )  # the embedder never sees the paste
    assert "技术把关者" in result.hits[0].passage.section
    assert focus("短问题？") == "短问题？"
    assert focus("x" * 2000) == "x" * MAX_FOCUS_CHARS
