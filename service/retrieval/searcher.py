"""Hybrid search over the handbook index: dense + BM25, fused by relative score (see fusion.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInput
from ..text import Language, detect_language, focus
from .expansion import Expansion, QueryExpander
from .fusion import fuse
from .index import HandbookIndex
from .passage import ScoredPassage

MAX_K = 50
# Per language, how much each signal counts. Chinese questions share the handbooks' words, so the
# Chinese side leads; English ones search the English translation (dense + stemmed BM25) beside the
# cross-lingual signals (the multilingual embedder on the Chinese text, the glossary expansion).
# The section questions are a field of their own. Tuned on the dev set, the first check set and our
# tuning questions, reported on the second check set: `python -m bench.tune_fusion`.
WEIGHTS: dict[Language, dict[str, float]] = {
    "zh": {"dense": 0.0, "keyword": 0.3, "dense_en": 0.3, "questions": 0.3, "questions_keyword": 0.1},
    "en": {
        "dense": 0.0, "dense_expanded": 0.2, "keyword": 0.2, "dense_en": 0.0, "keyword_en": 0.2,
        "questions": 0.2, "questions_keyword": 0.2,
    },
}  # fmt: skip


@dataclass(frozen=True)
class SearchResult:
    query: str
    language: Language
    expansion: Expansion
    hits: list[ScoredPassage]
    query_vector: np.ndarray  # the question's embedding, reused to match coaching cards


class HandbookSearch:
    """``search(query, k)`` over a loaded ``HandbookIndex``."""

    def __init__(self, index: HandbookIndex, max_query_chars: int) -> None:
        self.index = index
        self.expander = QueryExpander(index.glossary)
        self.max_query_chars = max_query_chars

    def validate(self, query: str, k: int) -> str:
        """Reject what we cannot search: empty or overlong queries, ``k`` outside 1..50."""
        query = (query or "").strip()
        if not query:
            raise InvalidInput("the query is empty: ask something, e.g. 如何接近技术把关者?")
        if len(query) > self.max_query_chars:
            raise InvalidInput(f"the query has {len(query)} characters; the limit is {self.max_query_chars}")
        if not 1 <= k <= MAX_K:
            raise InvalidInput(f"k must be between 1 and {MAX_K}, got {k}")
        return query

    def signals(self, query: str, language: Language) -> tuple[dict[str, np.ndarray], Expansion, np.ndarray]:
        """Every retriever's score for every passage: dense on the Chinese passages, their English
        translations and the section questions, BM25 on the Chinese text (for English questions with
        the glossary's Chinese names) and, for English questions, on the English text."""
        query = focus(query)
        index = self.index
        expansion = self.expander.expand(query) if language == "en" else Expansion((), ())
        # the embedder sees each concept once (its first Chinese name): shorter input, faster, less drift
        expanded = (
            f"{query} {' '.join(group[0] for group in expansion.groups)}" if expansion.groups else query
        )
        vectors = index.embedder.embed_queries([query, expanded] if expansion.chinese else [query])
        signals = {
            "dense": index.dense.scores(vectors[0]),
            "keyword": index.keyword.expanded_scores(query, expansion.groups),
            "dense_en": index.dense_en.scores(vectors[0]),
            "questions": index.questions.dense_scores(vectors[0]),
            "questions_keyword": index.questions.keyword_scores(query),
        }
        if language == "en":
            signals["dense_expanded"] = index.dense.scores(vectors[-1])
            signals["keyword_en"] = index.keyword_en.scores(query)
        return signals, expansion, vectors[0]

    def search(self, query: str, k: int = 5) -> SearchResult:
        """The ``k`` best passages for ``query`` (Chinese or English)."""
        query = self.validate(query, k)
        language = detect_language(query)
        signals, expansion, vector = self.signals(query, language)
        weights = WEIGHTS[language]
        fused = fuse({name: scores for name, scores in signals.items() if weights.get(name)}, weights)
        best = np.argsort(-fused, kind="stable")[:k]
        dense = np.maximum.reduce(
            [signals[name] for name in ("dense", "dense_expanded", "dense_en") if name in signals]
        )
        hits = [
            ScoredPassage(
                passage=self.index.passages[i],
                score=round(float(fused[i]), 6),
                dense=float(dense[i]),
                keyword=float(signals["keyword"][i]),
                question=float(signals["questions"][i]),
            )
            for i in best
        ]
        return SearchResult(
            query=query, language=language, expansion=expansion, hits=hits, query_vector=vector
        )
