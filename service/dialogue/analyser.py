"""Utterance analysis: which SPIN question, which FABE parts, which LSCPA step, which move.

Method: every exemplar in the playbooks is embedded once (``warm_up``). An utterance is embedded
once per ``analyse`` call; for each framework, each label scores the mean cosine similarity of
its ``k`` nearest exemplars, plus a bonus per matching cue pattern, plus (where configured) a
ridge read-out trained on the exemplars, minus everything for labels whose form (question) the
utterance lacks. A softmax over the labels gives the scores. FABE is
multi-label: every label whose score passes its threshold is on.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidInput
from ..playbooks.frameworks import (
    FRAMEWORK_NAMES,
    AnalyserSettings,
    Framework,
    Frameworks,
    Move,
    MovesPlaybook,
    Part,
)
from ..retrieval.embedders import Embedder
from ..text import Language, detect_language
from .features import CommandMatcher, CueMatcher, QuestionDetector

MAX_CHARS = 2000  # an utterance is a chat line; longer input is a paste, not a move


@dataclass(frozen=True)
class Classification:
    """One framework's verdict on one utterance."""

    framework: str
    label: str | None  # None for multi-label FABE
    labels: list[str]
    scores: dict[str, float]  # per label, 0..1
    confidence: float
    unsure: bool
    language: Language
    is_question: bool = False
    command: bool = False  # moves only: matched a chat command keyword


@dataclass(frozen=True)
class Analysis:
    """Every framework's verdict on one utterance (one embedding)."""

    text: str
    language: Language
    is_question: bool
    spin: Classification
    fabe: Classification
    lscpa: Classification
    move: Classification
    by_framework: dict[str, Classification] = field(default_factory=dict, repr=False)


class FrameworkScorer:
    """Nearest-exemplar + cue scoring for one framework (or the moves playbook)."""

    def __init__(self, playbook: Framework | MovesPlaybook, multi_label: bool = False) -> None:
        parts: Sequence[Part | Move] = (
            playbook.moves if isinstance(playbook, MovesPlaybook) else playbook.parts
        )
        self.name = playbook.id
        self.settings: AnalyserSettings = playbook.analyser
        self.multi_label = multi_label
        self.labels = [part.label for part in parts]
        self.needs_question = np.array([part.form == "question" for part in parts])
        self.cues = CueMatcher([part.cues for part in parts])
        self.texts: list[str] = []
        rows: list[int] = []
        for index, part in enumerate(parts):
            for _, text in part.exemplars.items():
                self.texts.append(text)
                rows.append(index)
        self.rows = np.asarray(rows)
        self.vectors: np.ndarray | None = None  # set by fit()
        self.weights: np.ndarray | None = None

    def fit(self, vectors: np.ndarray) -> None:
        """Keep the exemplar embeddings and fit the ridge read-out (closed form, milliseconds).

        Exemplars of different labels share topics (the same intercom appears as a situation and
        as an implication question), so nearest neighbours lean on topic; a linear read-out
        learns the directions that separate the labels' function instead.
        """
        self.vectors = vectors
        if self.settings.linear_weight > 0:
            inputs = np.hstack([vectors, np.ones((len(vectors), 1), dtype=vectors.dtype)])
            targets = np.eye(len(self.labels), dtype=np.float32)[self.rows]
            gram = inputs.T @ inputs + self.settings.ridge * np.eye(inputs.shape[1], dtype=vectors.dtype)
            self.weights = np.linalg.solve(gram, inputs.T @ targets)

    def score(self, vector: np.ndarray, text: str, language: Language, is_question: bool) -> Classification:
        """Classify an utterance given its embedding."""
        assert self.vectors is not None, "warm_up() first"
        sims = self.vectors @ vector
        knn = self._label_similarity(sims)
        logits = knn / self.settings.temperature + self.settings.cue_weight * self.cues.hits(text, language)
        if self.weights is not None:
            logits = logits + self.settings.linear_weight * (np.append(vector, 1.0) @ self.weights)
        # Evidence strength is judged before the form rule: gibberish is "other" for SPIN only
        # because it has no question mark, and that verdict should still come out unsure.
        unsure = _margin(_softmax(logits)) < self.settings.unsure_margin
        unsure = unsure or float(sims.max()) < self.settings.min_similarity
        if not is_question:  # a statement is never a question-form label (SPIN S/P/I/N, the question move)
            logits = np.where(self.needs_question, -np.inf, logits)
        probs = _softmax(logits)
        order = np.argsort(-probs)
        best = float(probs[order[0]])
        unsure = unsure or _margin(probs) < self.settings.unsure_margin
        labels = self._on_labels(probs, order)
        return Classification(
            framework=self.name,
            label=None if self.multi_label else self.labels[order[0]],
            labels=labels,
            scores={label: round(float(p), 4) for label, p in zip(self.labels, probs, strict=True)},
            confidence=round(best, 4),
            unsure=bool(unsure),
            language=language,
            is_question=is_question,
        )

    def _label_similarity(self, sims: np.ndarray) -> np.ndarray:
        """Mean similarity of each label's ``k`` nearest exemplars."""
        k = self.settings.k
        out = np.empty(len(self.labels), dtype=np.float32)
        for index in range(len(self.labels)):
            label_sims = sims[self.rows == index]
            top = np.partition(label_sims, -k)[-k:] if len(label_sims) > k else label_sims
            out[index] = float(top.mean())
        return out

    def _on_labels(self, probs: np.ndarray, order: np.ndarray) -> list[str]:
        if not self.multi_label:
            return [self.labels[order[0]]]
        thresholds = self.settings.thresholds
        on = [
            label
            for label, p in zip(self.labels, probs, strict=True)
            if p >= thresholds.get(label, 0.5) or label == self.labels[order[0]]
        ]
        return on


def _margin(probs: np.ndarray) -> float:
    top = np.sort(probs)[::-1]
    return float(top[0] - top[1]) if len(top) > 1 else float(top[0])


def _softmax(logits: np.ndarray) -> np.ndarray:
    finite = np.isfinite(logits)
    if not finite.any():  # nothing allowed: fall back to uniform rather than NaN
        return np.full(len(logits), 1.0 / len(logits))
    shifted = np.where(finite, logits - logits[finite].max(), -np.inf)
    weights = np.exp(shifted)
    return weights / weights.sum()


MAX_CLAUSES = 3
_CLAUSE = re.compile(r"[。；;！!？?，,]|\.\s|\s(?:so|which means|and here's|here's)\s")


class UtteranceAnalyser:
    """Classifies trainee utterances with SPIN, FABE, LSCPA and conversational moves.

    ``__init__`` is cheap; ``warm_up()`` loads the model and embeds all exemplars (idempotent,
    thread-safe). ``classify``/``analyse`` warm up on first use.
    """

    def __init__(self, embedder: Embedder, frameworks: Frameworks, exemplars_as: str = "query") -> None:
        if exemplars_as not in {"query", "passage"}:
            raise InvalidInput("exemplars_as must be 'query' or 'passage'")
        self.embedder = embedder
        self.frameworks = frameworks
        self.exemplars_as = exemplars_as
        self.questions = QuestionDetector(frameworks.question_cues)
        self.commands = CommandMatcher(frameworks.moves.commands)
        self.scorers = {
            name: FrameworkScorer(frameworks.framework(name), multi_label=name == "fabe")
            for name in FRAMEWORK_NAMES
        }
        self._ready = False
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the embedder and embed every exemplar once (one batch for all frameworks)."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.embedder.warm_up()
            texts = [text for scorer in self.scorers.values() for text in scorer.texts]
            embed = (
                self.embedder.embed_queries if self.exemplars_as == "query" else self.embedder.embed_passages
            )
            vectors = embed(texts)
            start = 0
            for scorer in self.scorers.values():
                scorer.fit(vectors[start : start + len(scorer.texts)])
                start += len(scorer.texts)
            self._ready = True

    def classify(self, text: str, framework: str) -> Classification:
        """Classify ``text`` with one framework: ``spin``, ``fabe``, ``lscpa`` or ``moves``."""
        if framework not in self.scorers:
            raise InvalidInput(f"unknown framework {framework!r}: use one of {', '.join(FRAMEWORK_NAMES)}")
        text = _checked(text)
        language = detect_language(text)
        if framework == "moves" and (command := self._command(text, language)):
            return command
        vector, is_question = self._embed(text, language)
        return self.scorers[framework].score(vector, text, language, is_question)

    def classify_many(self, texts: list[str], framework: str) -> list[Classification]:
        """Classify several texts with one framework, embedding them in one batch."""
        if framework not in self.scorers:
            raise InvalidInput(f"unknown framework {framework!r}: use one of {', '.join(FRAMEWORK_NAMES)}")
        texts = [_checked(text) for text in texts]
        self.warm_up()
        vectors = self.embedder.embed_queries(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        results = []
        for text, vector in zip(texts, vectors, strict=True):
            language = detect_language(text)
            is_question = self.questions.is_question(text, language)
            results.append(self.scorers[framework].score(vector, text, language, is_question))
        return results

    def fabe_elements(self, text: str, whole: Classification | None = None) -> set[str]:
        """FABE elements of a pitch. A pitch often packs feature, benefit and proof into one message,
        so each clause is judged too (in one batch) and the labels are pooled."""
        labels = set((whole or self.classify(text, "fabe")).labels)
        if {"benefit", "evidence"} <= labels:  # what the coaching hinges on is already there
            return labels
        clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 4]
        if len(clauses) > 1:
            for result in self.classify_many(clauses[:MAX_CLAUSES], "fabe"):
                labels.update(result.labels)
        return labels

    def analyse(self, text: str) -> Analysis:
        """All four verdicts for ``text`` from a single embedding."""
        text = _checked(text)
        language = detect_language(text)
        vector, is_question = self._embed(text, language)
        results = {
            name: scorer.score(vector, text, language, is_question) for name, scorer in self.scorers.items()
        }
        results["moves"] = self._command(text, language) or results["moves"]
        return Analysis(
            text=text,
            language=language,
            is_question=is_question,
            spin=results["spin"],
            fabe=results["fabe"],
            lscpa=results["lscpa"],
            move=results["moves"],
            by_framework=results,
        )

    def _embed(self, text: str, language: Language) -> tuple[np.ndarray, bool]:
        self.warm_up()
        vector = self.embedder.embed_queries([text])[0]
        return vector, self.questions.is_question(text, language)

    def _command(self, text: str, language: Language) -> Classification | None:
        label = self.commands.match(text)
        if label is None:
            return None
        return Classification(
            framework="moves",
            label=label,
            labels=[label],
            scores={label: 1.0},
            confidence=1.0,
            unsure=False,
            language=language,
            command=True,
        )


def _checked(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("utterance is empty")
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"utterance is longer than {MAX_CHARS} characters")
    return text
