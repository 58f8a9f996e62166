"""Matching a question to a coaching card, and the card's citations resolved to indexed passages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PlaybookError
from ..playbooks.cards import Card
from ..text import Language, match_key, sentences
from .citations import CitationResolver
from .index import HandbookIndex
from .passage import Passage

# Cosine between the question and the closest of a card's example questions above which the card
# answers (the bundled embedder's paraphrase cosines sit ≈ 0.90–0.97; unrelated ones ≈ 0.80–0.88).
# Calibrated with `python -m bench.cards`.
CARD_FLOOR = 0.915
ALIAS_BONUS = 0.015  # per distinct alias the question names, up to three
# Above this the card is taken even when search found none of its passages (near-verbatim question).
CARD_CERTAIN = 0.99


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

    def warm_up(self) -> None:
        """Resolve every citation (a broken one fails start-up) and embed the example questions."""
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
        self._vectors = self.index.embedder.embed_queries(texts) if texts else np.zeros((0, 1), np.float32)
        self._owner = np.array(owner)

    def _resolve(self, resolver: CitationResolver, card: Card, number: int) -> Passage:
        cite = card.cites[number]
        passage = resolver.resolve(cite.anchor, cite.doc)
        if passage is None:
            path = self.playbooks_dir / "cards" / f"{card.id}.yaml"
            raise PlaybookError(path, f"cites.{number}.anchor: {cite.anchor!r} is not in handbook {cite.doc}")
        return passage

    def match(self, question: str, query_vector: np.ndarray, hits: list[Passage]) -> CardMatch | None:
        """The closest card, if close enough *and* grounded: one of its cited passages shares a
        section with what the search found (so a card never displaces the passage that answers)."""
        self.warm_up()
        if not self.cards:
            return None
        similarities = self._vectors @ query_vector  # type: ignore[operator]
        best = np.full(len(self.cards), -1.0)
        np.maximum.at(best, self._owner, similarities)  # type: ignore[arg-type]
        lowered = question.lower()
        for number, card in enumerate(self.cards):
            named = sum(alias.lower() in lowered for _, alias in card.aliases.items())
            best[number] += ALIAS_BONUS * min(named, 3)
        found = {(p.doc_id, p.section) for p in hits}
        for number in np.argsort(-best):
            if best[number] < CARD_FLOOR:
                return None
            card = self.cards[number]
            grounded = any((p.doc_id, p.section) in found for p in self._passages[card.id])
            if grounded or best[number] >= CARD_CERTAIN:
                return CardMatch(card=card, score=float(best[number]), passages=self._passages[card.id])
        return None

    def quote(self, card: Card, passage: Passage) -> str:
        """The sentence of the passage that holds one of the card's anchors (else its first sentence)."""
        keys = [match_key(c.anchor) for c in card.cites if c.doc == passage.doc_id]
        parts = sentences(passage.text)
        return next(
            (s for s in parts if any(k in match_key(s) for k in keys)), parts[0] if parts else passage.text
        )


def render_card(card: Card, language: Language) -> str:
    """The card as a short answer: title and summary, then its sections as bullet lists."""
    lines = [f"{card.title.get(language)}: {card.summary.get(language)}"]
    for section in card.sections:
        lines.append("")
        lines.append(f"{section.heading.get(language)}:")
        lines.extend(f"- {point}" for point in section.points.get(language))
    return "\n".join(lines)
