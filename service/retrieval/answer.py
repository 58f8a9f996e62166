"""Short cited answers built from the most relevant sentences of the best passages.

Chinese questions get the handbooks' own sentences. English questions get the sentences of the
aligned English translation, each with its Chinese original quoted beside it. Below a relevance
floor the answer says nothing was found rather than returning noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..text import Language, focus, match_key, sentences
from .cards import CardIndex, CardMatch, render_card
from .passage import Passage, ScoredPassage
from .searcher import HandbookSearch, SearchResult

PASSAGES_USED = 3
SENTENCES_USED = 4


@dataclass(frozen=True)
class RelevanceFloor:
    """When is the best passage about the question at all?

    The 4-bit embedder's cosines are flat (off-topic questions still reach ≈ 0.85), so a passage
    counts when its cosine is high, or fairly high *and* BM25 finds the question's words in it, or
    when one of its section's questions is close to the one asked (question to question cosines
    separate better, English most: 33/39 → 38/39 of the held-out English questions admitted).
    Calibrated on the dev and check questions against off-topic ones (`python -m bench.relevance`),
    leaning towards answering: a wrong "nothing found" costs a salesperson more than a weak answer.
    """

    high: float
    low: float
    keyword: float
    question: float  # or one of its section's questions is this close to the question asked

    def admits(self, hit: ScoredPassage) -> bool:
        return (
            hit.dense >= self.high
            or (hit.dense >= self.low and hit.keyword >= self.keyword)
            or hit.question >= self.question
        )


FLOORS: dict[Language, RelevanceFloor] = {
    "zh": RelevanceFloor(high=0.88, low=0.845, keyword=3.0, question=0.90),
    "en": RelevanceFloor(high=0.885, low=0.84, keyword=4.0, question=0.875),
}

FRAMES = {
    "zh": {
        "intro": "手册中的相关内容：",
        "none": "手册中没有找到与这个问题足够相关的内容。可以换个说法，或者问问 SPIN 提问、FABE 介绍、"
        "LSCPA 异议处理、CUTE 四类角色、拜访计划、内线发展等主题。",
    },
    "en": {
        "intro": "Here is what the handbooks say (in English, with the Chinese original beside each quote):",
        "none": "I found nothing in the handbooks relevant enough to this question. Try rephrasing, or ask "
        "about SPIN questions, FABE pitches, LSCPA objection handling, the CUTE roles, visit "
        "planning or developing a coach.",
    },
}


@dataclass(frozen=True)
class Citation:
    text: str
    doc: str
    doc_id: str
    section: str
    passage_id: str
    score: float
    text_en: str = ""
    doc_en: str = ""
    section_en: str = ""

    @classmethod
    def of(cls, passage: Passage, score: float) -> Citation:
        return cls(
            passage.text, passage.doc_title, passage.doc_id, passage.section, passage.id, score,
            passage.text_en, passage.doc_title_en, passage.section_en,
        )  # fmt: skip


@dataclass(frozen=True)
class Answer:
    answer: str
    language: Language
    found: bool
    citations: list[Citation] = field(default_factory=list)
    card: str | None = None  # the coaching card the answer came from, if any


def _quote_lines(quotes: list[tuple[str, Passage]], language: Language) -> list[str]:
    """Numbered handbook quotes with where they come from: Chinese sentences as they are; English
    sentences with their Chinese original beside them."""
    lines = []
    for number, (sentence, passage) in enumerate(quotes, 1):
        if language == "zh":
            where = f"{passage.doc_title} · {passage.section}".rstrip(" ·")
            lines.append(f"{number}. {sentence}（{where}）")
            continue
        where = (
            f"{passage.doc_title_en or passage.doc_title} · {passage.section_en or passage.section}".rstrip(
                " ·"
            )
        )
        original = original_of(sentence, passage)
        lines.append(f"{number}. {sentence} — 原文: 「{original}」 ({where})")
    return lines


MAX_ORIGINAL_CHARS = 160


def original_of(sentence: str, passage: Passage) -> str:
    """The Chinese behind an English sentence of the passage: the matching sentence when both sides
    of its paragraph have as many sentences, else the paragraph (shortened)."""
    for chinese, english in passage.paragraph_pairs():
        english_sentences = sentences(english)
        if sentence == english:
            return _shortened(chinese)
        if sentence in english_sentences:
            chinese_sentences = sentences(chinese)
            if len(chinese_sentences) == len(english_sentences):
                return chinese_sentences[english_sentences.index(sentence)]
            return _shortened(chinese)
    return _shortened(passage.text)


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ORIGINAL_CHARS else text[: MAX_ORIGINAL_CHARS - 1] + "…"


class Answerer:
    """Answers a question from handbook passages, framed in the user's language."""

    def __init__(
        self,
        search: HandbookSearch,
        cards: CardIndex | None = None,
        floors: dict[Language, RelevanceFloor] = FLOORS,
    ) -> None:
        self.search = search
        self.cards = cards
        self.floors = floors

    def relevant(self, result: SearchResult) -> list[ScoredPassage]:
        """The best hits that clear the floor, deduplicated; nothing when none clears it."""
        floor = self.floors[result.language]
        if not any(floor.admits(hit) for hit in result.hits):
            return []
        kept: list[ScoredPassage] = []
        for hit in result.hits:
            key = match_key(hit.passage.text)
            if any(
                key in match_key(other.passage.text) or match_key(other.passage.text) in key for other in kept
            ):
                continue
            kept.append(hit)
            if len(kept) == PASSAGES_USED:
                break
        return kept

    def ask(self, question: str, lang: Language | None = None) -> Answer:
        result = self.search.search(question, k=8)
        language: Language = lang or result.language
        passages = [hit.passage for hit in result.hits]
        match = self.cards.match(result.query, result.query_vector, passages) if self.cards else None
        hits = self.relevant(result)
        if match:
            return self._from_card(match, language, result, hits[:1])
        if not hits:
            return Answer(FRAMES[language]["none"], language, found=False)
        quotes = [(sentence, hit.passage) for sentence, hit in self._best_sentences(result, hits, language)]
        lines = [FRAMES[language]["intro"], *_quote_lines(quotes, language)]
        citations = [Citation.of(h.passage, h.score) for h in hits]
        return Answer("\n".join(lines), language, found=True, citations=citations)

    def _from_card(
        self, match: CardMatch, language: Language, result: SearchResult, best: list[ScoredPassage]
    ) -> Answer:
        """The card's advice in the user's language, then its handbook passages quoted in the original,
        plus the best passage the search found for this very question when the card lacks it."""
        assert self.cards is not None
        unique = list(dict.fromkeys(match.passages))
        quotes = [(self.cards.quote(match.card, passage, language), passage) for passage in unique]
        citations = [Citation.of(p, match.score) for p in unique]
        extra = [hit for hit in best if hit.passage not in unique]
        quotes += [
            (sentence, hit.passage) for sentence, hit in self._best_sentences(result, extra, language)
        ][:1]
        citations += [Citation.of(hit.passage, hit.score) for hit in extra]
        intro = FRAMES[language]["intro"]
        lines = [render_card(match.card, language), "", intro, *_quote_lines(quotes, language)]
        return Answer("\n".join(lines), language, found=True, citations=citations, card=match.card.id)

    def _best_sentences(
        self, result: SearchResult, hits: list[ScoredPassage], language: Language = "zh"
    ) -> list[tuple[str, ScoredPassage]]:
        """Sentences sharing the most (and rarest) query words; ties go to better passages. English
        answers take the translation's sentences (stemmed words) when the passages have one."""
        segmenter = self.search.index.segmenter
        english = language == "en" and all(hit.passage.text_en for hit in hits)
        query = focus(result.query)
        query_tokens = set(
            segmenter.tokens(query if english else f"{query} {result.expansion.as_text()}", stem=english)
        )
        scored: list[tuple[float, int, int, str, ScoredPassage]] = []
        seen: set[str] = set()
        for rank, hit in enumerate(hits):
            passage = hit.passage
            path = passage.section_path_en if english else passage.section_path
            heading = path[-1] if path else ""
            for position, sentence in enumerate(sentences(passage.text_en if english else passage.text)):
                key = match_key(sentence)
                if len(key) < 4 or key in seen or sentence == heading:
                    continue
                seen.add(key)
                words = set(segmenter.tokens(sentence, stem=english))
                overlap = sum(1 if english else len(t) for t in query_tokens & words)
                size = len(words) if english else len(key)
                score = overlap / math.sqrt(max(size, 1)) - 0.3 * rank - 0.05 * position
                scored.append((score, rank, position, sentence, hit))
        best = sorted(scored, key=lambda item: -item[0])[:SENTENCES_USED]
        best.sort(key=lambda item: (item[1], item[2]))
        return [(sentence, hit) for _, _, _, sentence, hit in best]
