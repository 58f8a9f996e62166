"""Answers from coaching cards: practical, in the user's language, grounded in cited passages."""

from __future__ import annotations

import pytest

from service.errors import PlaybookError
from service.playbooks.cards import Card, load_cards
from service.retrieval.cards import CardIndex
from service.settings import PROJECT_ROOT
from service.text import detect_language

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_how_to_approach_a_technical_gatekeeper_in_english(services):
    answer = services.answerer.ask("How do I approach a technical gatekeeper?")
    assert answer.card == "technical_gatekeeper"
    assert answer.language == "en"
    for heading in ("Who they are:", "What they care about:", "What to give them:", "What not to do:"):
        assert heading in answer.answer
    assert "white paper" in answer.answer.lower()
    assert answer.citations and all(c.doc_id == "000" for c in answer.citations[:2])
    assert any("白皮书" in c.section + c.text for c in answer.citations)
    # handbook passages are quoted in the original Chinese
    assert all(detect_language(c.text) == "zh" for c in answer.citations)
    assert "「" in answer.answer


def test_the_same_question_in_chinese_gets_a_chinese_card_answer(services):
    answer = services.answerer.ask("如何接近技术把关者?")
    assert answer.card == "technical_gatekeeper" and answer.language == "zh"
    assert "他们是谁" in answer.answer and "不要做什么" in answer.answer


def test_a_question_no_card_covers_is_answered_from_passages(services):
    answer = services.answerer.ask("团购客户分为哪几种?")
    assert answer.card is None and answer.found
    assert any("团购" in c.text for c in answer.citations)


def test_card_answers_also_cite_the_passage_found_for_the_question(services):
    answer = services.answerer.ask("什么时候向客户提交方案最合适?")
    assert any("提交方案" in c.section + c.text for c in answer.citations)


def test_a_card_citing_text_that_is_not_in_the_handbooks_fails_at_start_up(services):
    cards = load_cards(PROJECT_ROOT / "playbooks")
    data = cards["spin"].model_dump()
    data["cites"] = [{"doc": "002", "anchor": "这句话手册里没有"}]
    broken = {"spin": Card.model_validate(data)}
    with pytest.raises(PlaybookError, match=r"spin.yaml: cites.0.anchor"):
        CardIndex(broken, services.index, PROJECT_ROOT / "playbooks").warm_up()
