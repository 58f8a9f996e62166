"""What a client's turn voices: a difficulty, a consequence, a need, an objection, agreement.

Like the frameworks' labels, from the playbook's examples: each mark scores the mean similarity
of its ``k`` nearest examples plus a bonus when one of its cue patterns matches; a mark is on when
that beats the neutral examples (plain answers, small talk) by the playbook's margin.
"""

from __future__ import annotations

import re

import numpy as np

from ..playbooks.frameworks import Patterns
from ..playbooks.review import MARKS, ReviewPlaybook
from ..retrieval.embedders import EmbeddingMemo
from ..text import Language

NEUTRAL = "neutral"


def matcher(patterns: Patterns) -> dict[str, list[re.Pattern[str]]]:
    return {
        language: [re.compile(p, re.IGNORECASE) for p in patterns.get(language)] for language in ("zh", "en")
    }  # type: ignore[arg-type]


def any_match(compiled: dict[str, list[re.Pattern[str]]], text: str, language: Language) -> bool:
    return any(pattern.search(text) for pattern in compiled[language])


class ClientMarker:
    """Marks client turns; ``warm_up`` embeds the examples once (through the embedding memo)."""

    def __init__(self, playbook: ReviewPlaybook, memo: EmbeddingMemo) -> None:
        self.settings = playbook.analyser
        self.memo = memo
        marks = playbook.marks.by_name()
        self.cues = {name: matcher(mark.cues) for name, mark in marks.items()}
        groups = {
            **{name: mark.examples for name, mark in marks.items()},
            NEUTRAL: playbook.marks.neutral.examples,
        }
        self.texts = [text for examples in groups.values() for _, text in examples.items()]
        self.owner = np.array([name for name, examples in groups.items() for _ in examples.items()])
        self.vectors: np.ndarray | None = None

    def warm_up(self) -> None:
        if self.vectors is None:
            self.vectors = self.memo.queries(self.texts)

    def scores(self, vector: np.ndarray, text: str, language: Language) -> dict[str, float]:
        """Each mark's evidence minus the neutral examples' (on when at least the margin)."""
        self.warm_up()
        assert self.vectors is not None
        sims = self.vectors @ vector
        neutral = self._knn(sims, NEUTRAL)
        return {
            name: round(
                self._knn(sims, name)
                + (self.settings.cue_bonus if any_match(self.cues[name], text, language) else 0.0)
                - neutral,
                4,
            )
            for name in MARKS
        }

    def marks(self, vector: np.ndarray, text: str, language: Language) -> list[str]:
        """The marks clearly above the neutral examples and close to the turn's best one; an
        objection only when it is the best mark or one of its cues matches."""
        scores = self.scores(vector, text, language)
        best = max(scores.values())
        on = [
            name
            for name, score in scores.items()
            if score >= self.settings.margin and score >= best - self.settings.gap
        ]
        if (
            "objection" in on
            and scores["objection"] < best
            and not any_match(self.cues["objection"], text, language)
        ):
            on.remove("objection")
        return on

    def _knn(self, sims: np.ndarray, name: str) -> float:
        own = sims[self.owner == name]
        k = min(self.settings.k, len(own))
        return float(np.partition(own, -k)[-k:].mean())
