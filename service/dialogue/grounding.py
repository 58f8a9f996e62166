"""What a salesperson's question is about, by meaning: which fact or difficulty of the scenario, a
generic question that leans on the conversation ("那会有什么影响？"), someone else's area in the
client's decision chain, a topic the client keeps to itself, or nothing the scenario covers.

The message's embedding (the one the analyser computed) is compared with every unit's ``topic``
and ``asked_by`` examples, in both languages; a unit scores the best of those similarities, and a
unit keyword in the message adds a little (one signal among others, never the only one). Generic
questions are recognised the same way, against the generic questions kept in ``rehearsal.yaml``.
Texts are embedded once per scenario and cached by content, so edited or new scenarios just work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..playbooks.coaching import GeneratedGrounding, GroundingSettings
from ..playbooks.frameworks import TextLists
from ..playbooks.scenarios import Colleague, Fact, Problem, Scenario
from ..text import asked_part, detect_language
from .readout import Readout

Embed = Callable[[Sequence[str]], np.ndarray]
Tokens = Callable[[str], list[str]]


@dataclass(frozen=True)
class Features:
    """The signals behind a grounding, per unit key ("fact:id", "problem:id")."""

    scores: dict[str, float]  # the combined score the units are ranked by
    ask: dict[str, float]  # best similarity to the unit's topic and example questions
    answer: dict[str, float]  # best query-passage relevance of the unit's own lines
    words: dict[str, float]  # share of the question's own words the unit knows
    novel_share: float  # share of the question's own words no unit of the scenario knows
    novel: tuple[str, ...]
    generic: str | None  # the closest generic question's SPIN kind
    generic_score: float
    asides: dict[str, float]  # "colleague:N" / "withheld" -> best similarity
    off_script: float  # best similarity to questions this client has no answer for
    language: str = "zh"


@dataclass(frozen=True)
class Grounding:
    """The verdict on one message: at most one of ``unit``, ``generic``, ``colleague``, ``withheld``."""

    unit: Fact | Problem | None = None
    kind: str | None = None  # "fact" | "problem" (the unit's kind)
    score: float = 0.0
    generic: str | None = None  # SPIN kind of a question with no topic of its own
    colleague: Colleague | None = None  # someone else's area
    withheld: bool = False  # a topic the client won't share yet
    scores: dict[str, float] = field(default_factory=dict)  # "fact:id" / "problem:id" -> score
    features: Features | None = field(default=None, repr=False)

    def best(self, kind: str, among: Sequence[str] | None = None) -> tuple[str | None, float]:
        """The best-scoring unit id of ``kind`` (optionally among ``among``) and its score."""
        pool = [
            (key.split(":", 1)[1], score)
            for key, score in self.scores.items()
            if key.startswith(f"{kind}:") and (among is None or key.split(":", 1)[1] in among)
        ]
        return max(pool, key=lambda item: item[1]) if pool else (None, 0.0)


@dataclass
class _Table:
    """Embedded texts of one scenario (each row owned by a unit, a colleague, the withheld topics, a
    generic question's kind or the off-script questions) and each unit's words."""

    vectors: np.ndarray
    owners: list[str]  # "fact:id", "problem:id", "colleague:N", "withheld", "generic:KIND", "off_script"
    answer_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.float32))
    answer_owners: list[str] = field(default_factory=list)  # the units' own lines, embedded as passages
    words: dict[str, set[str]] = field(default_factory=dict)  # unit key -> its words
    common: set[str] = field(default_factory=set)  # words that say nothing about a unit here
    units: dict[str, Fact | Problem] = field(default_factory=dict)
    readout: Readout | None = None

    def __post_init__(self) -> None:
        self.known = set().union(*self.words.values()) if self.words else set()
        # rows of one owner are contiguous: the best of each owner is one reduceat over the run starts
        runs = [i for i, owner in enumerate(self.owners) if i == 0 or owner != self.owners[i - 1]]
        self._starts = np.asarray(runs, dtype=np.int64)
        self._names = [self.owners[i] for i in runs]

    def best(self, sims: np.ndarray, k: int = 1) -> dict[str, float]:
        """Each owner's best similarity (the mean of its ``k`` best)."""
        if k != 1 or not len(sims):
            return _best_per_owner(self.owners, sims, k)
        best: dict[str, float] = {}
        for name, value in zip(self._names, np.maximum.reduceat(sims, self._starts).tolist(), strict=True):
            if value > best.get(name, -2.0):
                best[name] = value
        return best


class ScenarioGrounder:
    """``ground(scenario, vector, text)``; ``__init__`` is cheap, tables are built on first use."""

    def __init__(
        self,
        embed: Embed,
        embed_answers: Embed,
        tokens: Tokens,
        generic_questions: Mapping[str, TextLists],
        off_script_questions: TextLists,
        settings: GroundingSettings,
        generated: GeneratedGrounding | None = None,
    ) -> None:
        self.embed = embed
        self.embed_answers = embed_answers
        self.tokens = tokens
        self.settings = settings
        given = {key: value for key, value in dict(generated or {}).items() if value is not None}
        self.generated = settings.model_copy(update=given) if generated is not None else settings
        self._generic_source = generic_questions
        self._off_script_source = off_script_questions
        self._tables: dict[str, tuple[Scenario, _Table]] = {}
        self._lock = threading.Lock()

    def warm_up(self, scenarios: Sequence[Scenario]) -> None:
        """Embed every scenario's texts and the generic questions (idempotent)."""
        for scenario in scenarios:
            self._table(scenario)

    def ground(self, scenario: Scenario, vector: np.ndarray, text: str) -> Grounding:
        features = self.features(scenario, vector, text)
        return self.decide(scenario, features)

    def features(self, scenario: Scenario, vector: np.ndarray, text: str) -> Features:
        """Every signal for every unit: how close the question is to the ways the unit is asked
        about (``ask``), how well the unit's own lines answer it (``answer``, e5's query-passage
        relevance), and how many of the question's own words the unit knows (``words``).
        One matrix product covers the scenario's texts, the generic and the off-script questions."""
        table = self._table(scenario)
        settings = self.settings_for(scenario)
        ask = table.best(table.vectors @ vector, settings.ask_k)
        answer = (
            _best_per_owner(table.answer_owners, table.answer_vectors @ vector)
            if settings.answer_weight
            else {}
        )
        # a single Chinese character says little and is often a segmentation leftover ("来着" → "着")
        # the words of what is asked: a reason or aside beside the question names no unit
        asked = asked_part(text)
        own = [w for w in dict.fromkeys(self.tokens(asked)) if w not in table.common and not _single_han(w)]
        novel = [w for w in own if w not in table.known]
        lowered = text.lower()
        units = table.units
        words = {key: (sum(w in table.words[key] for w in own) / len(own)) if own else 0.0 for key in units}
        readout = table.readout.probabilities(vector) if table.readout is not None else {}
        scores = {
            key: round(
                settings.ask_weight * ask.get(key, 0.0)
                + settings.answer_weight * answer.get(key, 0.0)
                + settings.words_weight * words[key]
                + settings.readout_weight * readout.get(key, 0.0)
                + self._keyword_bonus(unit, lowered),
                4,
            )
            for key, unit in units.items()
        }
        generic = [(key.split(":", 1)[1], value) for key, value in ask.items() if key.startswith("generic:")]
        generic_kind, generic_score = max(generic, key=lambda item: item[1]) if generic else (None, 0.0)
        asides = {
            key: value for key, value in ask.items() if key.startswith("colleague:") or key == "withheld"
        }
        return Features(
            scores=scores, ask={k: round(ask.get(k, 0.0), 4) for k in units},
            answer={k: round(answer.get(k, 0.0), 4) for k in units}, words=words,
            novel_share=len(novel) / len(own) if own else 0.0, novel=tuple(novel),
            generic=generic_kind, generic_score=generic_score, asides=asides,
            off_script=ask.get("off_script", 0.0), language=detect_language(text),
        )  # fmt: skip

    def decide(self, scenario: Scenario, f: Features) -> Grounding:
        """The unit the question is about, if one scores above the floor (less a penalty for words
        the scenario never uses); else a generic question, someone else's area, a withheld topic,
        or nothing."""
        settings = self.settings_for(scenario)
        units = {unit_key(u): u for u in scenario.units()}
        ranked = sorted(f.scores.items(), key=lambda item: -item[1])
        top_key, top = ranked[0] if ranked else (None, 0.0)
        # words the scenario never uses count against a unit only when there are several of them
        penalised = f.novel_share if len(f.novel) >= settings.novel_min else 0.0
        confidence = top - settings.novel_penalty * penalised
        floor = settings.unit_floor.zh if f.language == "zh" else settings.unit_floor.en
        aside_key, aside = max(f.asides.items(), key=lambda item: item[1], default=(None, 0.0))
        top_ask = f.ask.get(top_key, 0.0) if top_key else 0.0
        generic_wins = f.generic is not None and f.generic_score >= top_ask + settings.generic_margin
        aside_wins = (
            aside_key is not None
            and aside >= settings.aside_floor
            and aside >= top_ask + settings.aside_margin
        )
        off_script_wins = f.off_script >= top_ask + settings.off_script_margin
        if (
            top_key is not None
            and confidence >= floor
            and not (generic_wins or aside_wins or off_script_wins)
        ):
            return Grounding(
                unit=units[top_key], kind=top_key.split(":", 1)[0], score=top, scores=f.scores, features=f
            )
        if f.generic is not None and f.generic_score >= settings.generic_floor and generic_wins:
            return Grounding(generic=f.generic, score=f.generic_score, scores=f.scores, features=f)
        if aside_key is not None and aside >= settings.aside_floor and aside >= f.off_script:
            if aside_key == "withheld":
                return Grounding(withheld=True, score=aside, scores=f.scores, features=f)
            colleague = scenario.decision_chain[int(aside_key.split(":", 1)[1])]
            return Grounding(colleague=colleague, score=aside, scores=f.scores, features=f)
        return Grounding(score=top, scores=f.scores, features=f)

    def settings_for(self, scenario: Scenario) -> GroundingSettings:
        """The grounding settings for the way the scenario's examples were made."""
        return self.generated if scenario.grounding == "generated" else self.settings

    def _keyword_bonus(self, unit: Fact | Problem, lowered: str) -> float:
        if unit.keywords is None:
            return 0.0
        hit = any(keyword.lower() in lowered for _, keyword in unit.keywords.items())
        return self.settings.keyword_bonus if hit else 0.0

    # -- tables ------------------------------------------------------------------------------------
    def _shared(self) -> tuple[list[str], list[str]]:
        """The generic questions (by SPIN kind) and the generic off-script questions, any scenario."""
        owners, texts = [], []
        for kind, questions in self._generic_source.items():
            for _, question in questions.items():
                owners.append(f"generic:{kind}")
                texts.append(question)
        for _, question in self._off_script_source.items():
            owners.append("off_script")
            texts.append(question)
        return owners, texts

    def _table(self, scenario: Scenario) -> _Table:
        """The scenario's table, built once per scenario object (scenarios are immutable; an edited
        or stored one is a new object, and the embedding memo makes rebuilding it cheap)."""
        cached = self._tables.get(scenario.id)
        if cached is not None and cached[0] is scenario:
            return cached[1]
        owners, texts = _scenario_texts(scenario)
        shared_owners, shared = self._shared()
        answer_owners, answers = _answer_texts(scenario)
        words, common = self._words(scenario)
        vectors = self.embed([*texts, *shared])
        units = {unit_key(u): u for u in scenario.units()}
        table = _Table(
            vectors=vectors, owners=[*owners, *shared_owners],
            answer_vectors=self.embed_answers(answers), answer_owners=answer_owners, words=words, common=common,
            units=units,
            readout=Readout(vectors, [*owners, *shared_owners], set(units)) if self.settings.readout_weight else None,
        )  # fmt: skip
        with self._lock:
            self._tables[scenario.id] = (scenario, table)
        return table

    def _words(self, scenario: Scenario) -> tuple[dict[str, set[str]], set[str]]:
        """Each unit's words (of its topic, examples and keywords: not of its lines, which would favour
        the wordier difficulties), and the words common to the scenario (its briefing and persona, the
        generic questions, the filler of a question) that tell no unit from another."""
        words: dict[str, set[str]] = {}
        for unit in scenario.units():
            texts = [unit.topic.zh, unit.topic.en]
            for lists in (unit.asked_by, unit.keywords):
                texts += [t for _, t in lists.items()] if lists is not None else []
            words[unit_key(unit)] = {w for t in texts for w in self.tokens(t)}
        persona = scenario.persona
        common_texts = [
            *(t for _, t in self.settings.filler.items()),
            *(q for questions in self._generic_source.values() for _, q in questions.items()),
            scenario.briefing.zh, scenario.briefing.en, persona.name.zh, persona.name.en,
            persona.title.zh, persona.title.en, persona.company.zh, persona.company.en,
        ]  # fmt: skip
        return words, {w for t in common_texts for w in self.tokens(t)}


def _single_han(word: str) -> bool:
    return len(word) == 1 and "\u3400" <= word <= "\u9fff"


def _said(unit: Fact | Problem) -> list[TextLists]:
    if isinstance(unit, Fact):
        return [unit.reveal]
    return [unit.reveal, unit.implication, unit.need]


def unit_key(unit: Fact | Problem) -> str:
    return f"{'fact' if isinstance(unit, Fact) else 'problem'}:{unit.id}"


def _scenario_texts(scenario: Scenario) -> tuple[list[str], list[str]]:
    owners: list[str] = []
    texts: list[str] = []

    def add(owner: str, values: list[str]) -> None:
        owners.extend([owner] * len(values))
        texts.extend(values)

    for unit in scenario.units():
        add(
            unit_key(unit),
            [unit.topic.zh, unit.topic.en, *(t for _, t in (unit.asked_by.items() if unit.asked_by else ()))],
        )
    for index, colleague in enumerate(scenario.decision_chain):
        add(f"colleague:{index}", [t for _, t in colleague.covers.items()])
    if scenario.withheld is not None:
        add("withheld", [t for _, t in scenario.withheld.items()])
    if scenario.off_script is not None:
        add("off_script", [t for _, t in scenario.off_script.items()])
    return owners, texts


def _answer_texts(scenario: Scenario) -> tuple[list[str], list[str]]:
    owners: list[str] = []
    texts: list[str] = []
    for unit in scenario.units():
        for lists in _said(unit):
            values = [t for _, t in lists.items()]
            owners.extend([unit_key(unit)] * len(values))
            texts.extend(values)
    return owners, texts


def _best_per_owner(owners: list[str], sims: np.ndarray, k: int = 1) -> dict[str, float]:
    """Per owner, the mean of its ``k`` highest similarities (the best one for ``k=1``)."""
    grouped: dict[str, list[float]] = {}
    for owner, sim in zip(owners, sims.tolist(), strict=True):
        grouped.setdefault(owner, []).append(sim)
    return {owner: float(np.mean(sorted(values)[-k:])) for owner, values in grouped.items()}
