"""Search and answers over the full cleaned corpus with the real model and index."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.text import match_key

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _found(hits, anchor: str) -> bool:
    return any(match_key(anchor) in match_key(h.passage.section + h.passage.text) for h in hits)


@pytest.mark.parametrize(
    ("query", "anchor", "k"),
    [
        ("如何接近技术把关者?", "接近技术把关者的技巧", 5),
        ("How do I approach a technical gatekeeper?", "接近技术把关者的技巧", 5),
        ("FABE是什么意思", "FABE", 5),
        ("What is an implication question in SPIN?", "暗示", 5),
        ("团购客户有哪几类", "团购客户大致可以分为三种", 5),
        ("Who owns a lead that two salespeople found at the same time?", "先报备者负责", 5),
        ("大客户销售中疑虑和异议有什么不同?", "疑虑和异议是两回事", 5),
    ],
)
def test_the_right_passage_is_in_the_top_k(services, query, anchor, k):
    result = services.search.search(query, k=k)
    assert len(result.hits) == k
    assert _found(result.hits, anchor), [h.passage.section for h in result.hits]


def test_english_queries_are_expanded_with_the_glossary(services):
    result = services.search.search("How do I approach a technical gatekeeper?", k=3)
    assert result.language == "en"
    assert "技术把关者" in result.expansion.chinese
    zh = services.search.search("如何接近技术把关者?", k=3)
    assert zh.language == "zh" and zh.expansion.chinese == ()


def test_hits_are_ordered_and_carry_provenance(services):
    hits = services.search.search("客户信息收集有哪些方式", k=10).hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.passage.id for h in hits}) == 10
    for hit in hits:
        p = hit.passage
        assert p.doc_id and p.doc_title and p.end > p.start
        document = next(d for d in services.index.passages if d.id == p.id)
        assert document.text == p.text


@pytest.mark.parametrize(("query", "k"), [("", 5), ("   ", 5), ("x" * 2001, 5), ("客户", 0), ("客户", 51)])
def test_bad_queries_are_rejected_with_a_reason(services, query, k):
    with pytest.raises(InvalidInput):
        services.search.search(query, k)
