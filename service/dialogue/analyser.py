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
    MOVES_FILE,
    AnalyserSettings,
    Framework,
    Frameworks,
    Move,
    MovesPlaybook,
    Part,
)
from ..retrieval.embedders import Embedder, EmbeddingMemo
from ..text import Language, detect_language, focus
from .features import CommandMatcher, CueMatcher, QuestionDetector


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
class AnalysisContext:
    """What the conversation says about an utterance: the kind of unit the client revealed just
    before it (``fact``, ``problem``, ``implication``, ``need``), the kind of unit the utterance is
    about (``fact`` or ``problem``, from the rehearsal's grounding) and the stage. The frameworks'
    ``analyser.context`` priors turn these into label biases ("那对您有什么影响？" right after a
    difficulty was admitted is an implication question)."""

    after: str | None = None
    about: str | None = None
    stage: str | None = None

    def keys(self) -> list[str]:
        """The context keys the priors are written against, e.g. ``after:problem``, ``about:fact``."""
        pairs = (("after", self.after), ("about", self.about), ("stage", self.stage))
        return [f"{name}:{value}" for name, value in pairs if value]


@dataclass(frozen=True)
class Analysis:
    """Every framework's verdict on one utterance (one embedding), by framework id (``moves`` too)."""

    text: str
    language: Language
    is_question: bool
    by_framework: dict[str, Classification] = field(default_factory=dict, repr=False)
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # reused for grounding

    def of(self, framework: str) -> Classification:
        return self.by_framework[framework]

    # the frameworks the rehearsal's rules are written against
    @property
    def spin(self) -> Classification:
        return self.by_framework["spin"]

    @property
    def fabe(self) -> Classification:
        return self.by_framework["fabe"]

    @property
    def lscpa(self) -> Classification:
        return self.by_framework["lscpa"]

    @property
    def move(self) -> Classification:
        return self.by_framework[MOVES_FILE]

    def as_dict(self) -> dict:
        """Plain data: language, question form, each framework's label (a list for multi-label
        frameworks), the move, and which verdicts are unsure."""
        data: dict = {"language": self.language, "is_question": self.is_question}
        for name, verdict in self.by_framework.items():
            key = "move" if name == MOVES_FILE else name
            data[key] = list(verdict.labels) if verdict.label is None else verdict.label
        data["unsure"] = {name: c.unsure for name, c in self.by_framework.items()}
        return data


class FrameworkScorer:
    """Scores one framework (or the moves playbook) for an utterance's embedding.

    Single-label frameworks: mean similarity of each label's nearest exemplars, plus cue hits, plus
    a ridge read-out, plus context priors; a softmax picks one label. Multi-label frameworks
    (``multi_label: true``, FABE): one ridge read-out per label over the embedding and the cue hits,
    each label on when its score passes its threshold — a pitch carries several elements at once.
    Training texts are the parts' exemplars and the framework's labelled ``examples``.
    """

    def __init__(self, playbook: Framework | MovesPlaybook) -> None:
        parts: Sequence[Part | Move] = (
            playbook.moves if isinstance(playbook, MovesPlaybook) else playbook.parts
        )
        self.name = playbook.id
        self.settings: AnalyserSettings = playbook.analyser
        self.multi_label = isinstance(playbook, Framework) and playbook.multi_label
        self.labels = [part.label for part in parts]
        self.needs_question = np.array([part.form == "question" for part in parts])
        self.cues = CueMatcher([part.cues for part in parts])
        items: list[tuple[str, list[int]]] = [
            (text, [index]) for index, part in enumerate(parts) for _, text in part.exemplars.items()
        ]
        examples = playbook.examples if isinstance(playbook, Framework) else []
        items += [(e.text, [self.labels.index(label) for label in e.labels]) for e in examples]
        self.texts = [text for text, _ in items]
        self.targets = np.zeros((len(items), len(self.labels)), dtype=np.float32)
        for row, (_, on) in enumerate(items):
            self.targets[row, on] = 1.0
        self.vectors: np.ndarray | None = None  # set by fit()
        self.weights: np.ndarray | None = None

    def _inputs(self, vectors: np.ndarray, cue_hits: np.ndarray) -> np.ndarray:
        columns = [vectors]
        if self.multi_label:
            columns.append(self.settings.cue_feature_weight * cue_hits)
        columns.append(np.ones((len(vectors), 1), dtype=np.float32))
        return np.hstack(columns).astype(np.float32)

    def fit(self, vectors: np.ndarray) -> None:
        """Keep the training embeddings and fit the ridge read-out (closed form, milliseconds).

        Exemplars of different labels share topics (the same intercom appears as a situation and
        as an implication question), so nearest neighbours lean on topic; a linear read-out
        learns the directions that separate the labels' function instead.
        """
        self.vectors = vectors
        if self.multi_label or self.settings.linear_weight > 0:
            hits = np.vstack([self.cues.hits(t, detect_language(t)) for t in self.texts])
            inputs = self._inputs(vectors, hits)
            gram = inputs.T @ inputs + self.settings.ridge * np.eye(inputs.shape[1], dtype=np.float32)
            self.weights = np.linalg.solve(gram, inputs.T @ self.targets)

    def score(
        self,
        vector: np.ndarray,
        text: str,
        language: Language,
        is_question: bool,
        context: AnalysisContext | None = None,
    ) -> Classification:
        """Classify an utterance given its embedding (and, when known, its conversational context)."""
        assert self.vectors is not None, "warm_up() first"
        sims = self.vectors @ vector
        hits = self.cues.hits(text, language)
        if self.multi_label:
            return self._multi(vector, hits, float(sims.max()), text, language, is_question)
        knn = self._label_similarity(sims)
        evidence = knn / self.settings.temperature + self.settings.cue_weight * hits
        logits = evidence
        if self.weights is not None:
            logits = (
                logits
                + self.settings.linear_weight
                * (self._inputs(vector[None, :], hits[None, :]) @ self.weights)[0]
            )
        if context is not None:
            logits = logits + self._context_prior(context)
        # Evidence strength (neighbours and cues; the read-out is confident even far from its data)
        # is judged before the form rule: gibberish is "other" for SPIN only because it has no
        # question mark, and that verdict should still come out unsure.
        unsure = _margin(_softmax(evidence)) < self.settings.unsure_margin
        unsure = unsure or float(sims.max()) < self.settings.min_similarity
        if not is_question:  # a statement is never a question-form label (SPIN S/P/I/N, the question move)
            logits = np.where(self.needs_question, -np.inf, logits)
        probs = _softmax(logits)
        order = np.argsort(-probs)
        best = float(probs[order[0]])
        unsure = unsure or _margin(probs) < self.settings.unsure_margin
        return Classification(
            framework=self.name,
            label=self.labels[order[0]],
            labels=[self.labels[order[0]]],
            scores={label: round(float(p), 4) for label, p in zip(self.labels, probs, strict=True)},
            confidence=round(best, 4),
            unsure=bool(unsure),
            language=language,
            is_question=is_question,
        )

    def _multi(
        self,
        vector: np.ndarray,
        hits: np.ndarray,
        nearest: float,
        text: str,
        language: Language,
        is_question: bool,
    ) -> Classification:
        assert self.weights is not None
        raw = (self._inputs(vector[None, :], hits[None, :]) @ self.weights)[0]
        thresholds = np.array([self.settings.thresholds.get(label, 0.5) for label in self.labels])
        on = [label for label, value, cut in zip(self.labels, raw, thresholds, strict=True) if value >= cut]
        best = int(np.argmax(raw - thresholds))
        labels = on or [self.labels[best]]
        closest = float(np.min(np.abs(raw - thresholds)))  # a label near its cut-off is a guess
        return Classification(
            framework=self.name,
            label=None,
            labels=labels,
            scores={
                label: round(float(np.clip(v, 0.0, 1.0)), 4)
                for label, v in zip(self.labels, raw, strict=True)
            },
            confidence=round(float(np.clip(raw.max(), 0.0, 1.0)), 4),
            unsure=bool(closest < self.settings.unsure_margin or nearest < self.settings.min_similarity),
            language=language,
            is_question=is_question,
        )

    def _context_prior(self, context: AnalysisContext) -> np.ndarray:
        prior = np.zeros(len(self.labels), dtype=np.float32)
        for key in context.keys():  # noqa: SIM118 - AnalysisContext.keys() is a method, not a dict
            for label, bias in self.settings.context.get(key, {}).items():
                prior[self.labels.index(label)] += bias
        return prior

    def _label_similarity(self, sims: np.ndarray) -> np.ndarray:
        """Mean similarity of each label's ``k`` nearest training texts."""
        k = self.settings.k
        out = np.empty(len(self.labels), dtype=np.float32)
        for index in range(len(self.labels)):
            label_sims = sims[self.targets[:, index] > 0]
            top = np.partition(label_sims, -k)[-k:] if len(label_sims) > k else label_sims
            out[index] = float(top.mean())
        return out


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

    def __init__(
        self,
        embedder: Embedder,
        frameworks: Frameworks,
        exemplars_as: str = "query",
        memo: EmbeddingMemo | None = None,
        max_chars: int = 2000,  # the settings' SALESCOACH_MAX_QUERY_CHARS (container passes it)
    ) -> None:
        if exemplars_as not in {"query", "passage"}:
            raise InvalidInput("exemplars_as must be 'query' or 'passage'")
        self.embedder = embedder
        self.memo = memo or EmbeddingMemo(embedder)
        self.max_chars = max_chars
        self.frameworks = frameworks
        self.exemplars_as = exemplars_as
        self.questions = QuestionDetector(frameworks.question_cues)
        self.commands = CommandMatcher(frameworks.moves.commands)
        self.scorers = {name: FrameworkScorer(frameworks.framework(name)) for name in frameworks.all_names}
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
            vectors = self.memo.queries(texts) if self.exemplars_as == "query" else self.memo.passages(texts)
            start = 0
            for scorer in self.scorers.values():
                scorer.fit(vectors[start : start + len(scorer.texts)])
                start += len(scorer.texts)
            self._ready = True

    def classify(self, text: str, framework: str) -> Classification:
        """Classify ``text`` with one framework: ``spin``, ``fabe``, ``lscpa`` or ``moves``."""
        if framework not in self.scorers:
            raise InvalidInput(f"unknown framework {framework!r}: use one of {', '.join(self.scorers)}")
        text = self._checked(text)
        language = detect_language(text)
        if framework == MOVES_FILE and (command := self._command(text, language)):
            return command
        vector, is_question = self._embed(text, language)
        return self.scorers[framework].score(vector, text, language, is_question)

    def elements(self, text: str, whole: Classification) -> set[str]:
        """A multi-label framework's labels over the whole text and each of its clauses (one batch):
        a pitch often packs feature, benefit and proof into one message, each in its own clause."""
        labels = set(whole.labels)
        clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 4][:MAX_CLAUSES]
        if len(clauses) > 1:
            scorer = self.scorers[whole.framework]
            for clause, vector in zip(clauses, self.embedder.embed_queries(clauses), strict=True):
                language = detect_language(clause)
                verdict = scorer.score(vector, clause, language, self.questions.is_question(clause, language))
                labels.update(verdict.labels)
        return labels

    def embed(self, text: str) -> np.ndarray:
        """The utterance's embedding, as ``analyse`` computes it (pass it back to avoid a second one);
        of a long paste, its focus (bounded cost)."""
        self.warm_up()
        return self.embedder.embed_queries([self.embedding_text(text)])[0]

    def embedding_text(self, text: str) -> str:
        """The text ``embed`` (and ``analyse``, ``classify``) embeds for an utterance: its focus."""
        return focus(self._checked(text))

    def analyse(
        self, text: str, context: AnalysisContext | None = None, vector: np.ndarray | None = None
    ) -> Analysis:
        """All four verdicts for ``text`` from a single embedding (``vector``, when already computed)."""
        text = self._checked(text)
        language = detect_language(text)
        if vector is None:
            vector, is_question = self._embed(text, language)
        else:
            is_question = self.questions.is_question(text, language)
        results = {
            name: scorer.score(vector, text, language, is_question, context)
            for name, scorer in self.scorers.items()
        }
        results[MOVES_FILE] = self._command(text, language) or results[MOVES_FILE]
        return Analysis(
            text=text, language=language, is_question=is_question, by_framework=results, vector=vector
        )

    def _embed(self, text: str, language: Language) -> tuple[np.ndarray, bool]:
        self.warm_up()
        vector = self.embedder.embed_queries([self.embedding_text(text)])[0]
        return vector, self.questions.is_question(text, language)

    def _checked(self, text: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("utterance is empty")
        text = text.strip()
        if len(text) > self.max_chars:
            raise InvalidInput(f"utterance is longer than {self.max_chars} characters")
        return text

    def _command(self, text: str, language: Language) -> Classification | None:
        label = self.commands.match(text)
        if label is None:
            return None
        return Classification(
            framework=MOVES_FILE,
            label=label,
            labels=[label],
            scores={label: 1.0},
            confidence=1.0,
            unsure=False,
            language=language,
            command=True,
        )
