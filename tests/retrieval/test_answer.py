"""Cited answers in the user's language, and silence below the relevance floor."""

from __future__ import annotations

import pytest

from service.text import detect_language

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_chinese_question_gets_a_chinese_answer_with_citations(services):
    answer = services.answerer.ask("客户满意度和客户忠诚度有什么区别?")
    assert answer.found and answer.language == "zh" and answer.card is None
    assert answer.answer.startswith("手册中的相关内容")
    assert 1 <= len(answer.citations) <= 3
    assert any("忠诚度" in c.section + c.text for c in answer.citations)
    for citation in answer.citations:
        assert citation.doc and citation.text
    # the answer quotes handbook sentences verbatim
    body = answer.answer.splitlines()[1]
    quoted = body.split(". ", 1)[1].rsplit("（", 1)[0]
    assert any(quoted in c.text for c in answer.citations)


def test_english_question_is_framed_in_english_and_quotes_the_original(services):
    answer = services.answerer.ask("Explain the 80/20 rule for customers")
    assert answer.found and answer.language == "en" and answer.card is None
    assert answer.answer.startswith("Here is what the handbooks say")
    assert "「" in answer.answer  # quoted Chinese original
    assert all(detect_language(c.text) == "zh" for c in answer.citations)


def test_requested_language_overrides_the_question_language(services):
    answer = services.answerer.ask("团购客户分为哪几种?", lang="en")
    assert answer.language == "en" and answer.answer.startswith("Here is")
    carded = services.answerer.ask("SPIN提问法是什么?", lang="en")
    assert carded.card == "spin" and carded.answer.startswith("SPIN questioning")


def test_citations_are_deduplicated(services):
    answer = services.answerer.ask("FABE是什么")
    texts = [c.text for c in answer.citations]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "question",
    ["How do I bake sourdough bread?", "明天北京的天气怎么样?", "Who won the football world cup in 1998?"],
)
def test_off_topic_questions_find_nothing_instead_of_noise(services, question):
    answer = services.answerer.ask(question)
    assert not answer.found
    assert answer.citations == []
    assert (
        ("nothing" in answer.answer) if detect_language(question) == "en" else ("没有找到" in answer.answer)
    )


def test_a_close_section_question_alone_admits_a_passage():
    """Question-to-question similarity is evidence of its own: a passage with a flat cosine and no
    keyword overlap is admitted when one of its section's questions is close to the one asked."""
    from service.retrieval.answer import FLOORS
    from service.retrieval.passage import Passage, ScoredPassage

    passage = Passage(id="p", doc_id="000", doc_title="t", section_path=("s",), text="x", start=0, end=1)
    for floor in FLOORS.values():
        flat = ScoredPassage(passage=passage, score=1.0, dense=floor.low - 0.01, keyword=0.0)
        assert not floor.admits(flat)
        assert floor.admits(ScoredPassage(**{**flat.__dict__, "question": floor.question}))
        assert not floor.admits(ScoredPassage(**{**flat.__dict__, "question": floor.question - 0.01}))
