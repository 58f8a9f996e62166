"""Matching a question to a coaching card, and the card's citations resolved to indexed passages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PlaybookError
from ..playbooks.cards import Card
from ..text import Language, match_key, sentences
from .citations import CitationResolver
from .embedders import EmbeddingMemo
from .index import HandbookIndex
from .passage import Passage

ALIAS_BONUS = 0.015  # per distinct alias the question names, up to three


@dataclass(frozen=True)
class CardRule:
    """When a card answers. Its score is the cosine to the closest of its example questions (plus a
    bonus for each alias named); the bundled embedder's paraphrase cosines sit ≈ 0.88–0.97, unrelated
    ones ≈ 0.80–0.88. A card answers when it scores ``margin`` above the next card and either
    reaches ``floor`` with one of its passages among the search hits, or reaches ``grounded_floor``
    with one of its passages' sections among the first ``grounded_rank`` hits, or reaches
    ``certain``. Fitted with `python -m bench.tune_cards`."""

    floor: float = 0.905
    grounded_floor: float = 0.885
    grounded_rank: int = 2
    margin: float = 0.005
    certain: float = 0.99


CARD_RULE = CardRule()


@dataclass(frozen=True)
class CardMatch:
    card: Card
    score: float
    passages: list[Passage]


class CardIndex:
    """Embeds the cards' example questions once; ``match`` reuses the search's query vector."""

    def __init__(self, cards: dict[str, Card], index: HandbookIndex, playbooks_dir: Path) -> None:
        self.cards = list(cards.values())
        self.index = index
        self.playbooks_dir = playbooks_dir
        self._vectors: np.ndarray | None = None
        self._owner: np.ndarray | None = None
        self._passages: dict[str, list[Passage]] = {}
        self.rule = CARD_RULE

    def warm_up(self, memo: EmbeddingMemo | None = None) -> None:
        """Resolve every citation (a broken one fails start-up) and embed the example questions
        (through ``memo`` when given: cached between start-ups)."""
        if self._vectors is not None:
            return
        resolver = CitationResolver(self.index.passages)
        self._passages = {
            card.id: [self._resolve(resolver, card, i) for i in range(len(card.cites))] for card in self.cards
        }
        texts, owner = [], []
        for number, card in enumerate(self.cards):
            for _, question in card.questions.items():
                texts.append(question)
                owner.append(number)
        embed = memo.queries if memo is not None else self.index.embedder.embed_queries
        self._vectors = embed(texts) if texts else np.zeros((0, 1), np.float32)
        self._owner = np.array(owner)

    def passages(self, card_id: str) -> list[Passage]:
        """The handbook passages a card cites."""
        self.warm_up()
        return list(self._passages.get(card_id, []))

    def _resolve(self, resolver: CitationResolver, card: Card, number: int) -> Passage:
        cite = card.cites[number]
        passage = resolver.resolve(cite.anchor, cite.doc)
        if passage is None:
            path = self.playbooks_dir / "cards" / f"{card.id}.yaml"
            raise PlaybookError(path, f"cites.{number}.anchor: {cite.anchor!r} is not in handbook {cite.doc}")
        return passage

    def match(
        self, question: str, query_vector: np.ndarray, hits: list[Passage], rule: CardRule | None = None
    ) -> CardMatch | None:
        """The closest card, if close enough *and* grounded: one of its cited passages shares a
        section with what the search found (so a card never displaces the passage that answers)."""
        self.warm_up()
        rule = rule or self.rule
        if not self.cards:
            return None
        similarities = self._vectors @ query_vector  # type: ignore[operator]
        best = np.full(len(self.cards), -1.0)
        np.maximum.at(best, self._owner, similarities)  # type: ignore[arg-type]
        lowered = question.lower()
        for number, card in enumerate(self.cards):
            named = sum(alias.lower() in lowered for _, alias in card.aliases.items())
            best[number] += ALIAS_BONUS * min(named, 3)
        ranked = np.argsort(-best)
        top = int(ranked[0])
        runner_up = float(best[ranked[1]]) if len(ranked) > 1 else -1.0
        score = float(best[top])
        if score - runner_up < rule.margin and score < rule.certain:
            return None
        card = self.cards[top]
        sections = [(p.doc_id, p.section) for p in hits]
        cited = {(p.doc_id, p.section) for p in self._passages[card.id]}
        rank = next((n for n, key in enumerate(sections, 1) if key in cited), None)
        answers = (
            score >= rule.certain
            or (score >= rule.floor and rank is not None)
            or (score >= rule.grounded_floor and rank is not None and rank <= rule.grounded_rank)
        )
        return CardMatch(card=card, score=score, passages=self._passages[card.id]) if answers else None

    def quote(self, card: Card, passage: Passage, language: Language = "zh") -> str:
        """The sentence of the passage that holds one of the card's anchors (else its first
        sentence); for English, the English of that sentence (of its paragraph when the sentences
        don't pair up)."""
        keys = [match_key(c.anchor) for c in card.cites if c.doc == passage.doc_id]
        parts = sentences(passage.text)
        chinese = next(
            (s for s in parts if any(k in match_key(s) for k in keys)), parts[0] if parts else passage.text
        )
        if language == "zh" or not passage.text_en:
            return chinese
        for zh_paragraph, en_paragraph in passage.paragraph_pairs():
            if chinese in zh_paragraph:
                zh_sentences, en_sentences = sentences(zh_paragraph), sentences(en_paragraph)
                if len(zh_sentences) == len(en_sentences) and chinese in zh_sentences:
                    return en_sentences[zh_sentences.index(chinese)]
                return en_sentences[0] if len(en_sentences) == 1 else en_paragraph
        return passage.text_en.split("\n")[0]


def render_card(card: Card, language: Language) -> str:
    """The card as a short answer: title and summary, then its sections as bullet lists."""
    lines = [f"{card.title.get(language)}: {card.summary.get(language)}"]
    for section in card.sections:
        lines.append("")
        lines.append(f"{section.heading.get(language)}:")
        lines.extend(f"- {point}" for point in section.points.get(language))
    return "\n".join(lines)
