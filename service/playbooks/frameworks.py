"""Validated models of the framework playbooks (SPIN, LSCPA, FABE …) and of conversational moves.

The YAML files under ``playbooks/frameworks/`` are the single source of the coaching knowledge
and of the analyser's training data (exemplars) and features (cue patterns). Every file but
``moves.yaml`` is a coaching framework named by its file: its labels are its parts, whether it is
multi-label is its ``multi_label``. Adding a framework is a file (plus, where the rehearsal should
react to it, a handler). Every rule a file must satisfy lives here, so a broken file fails at load
time naming the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..datafiles import StrictModel, load_yaml_model
from ..errors import PlaybookError
from ..text import Language

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")]
FrameworkId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Form = Literal["question", "statement", "any"]
MOVES_FILE = "moves"

MOVE_LABELS = (
    "greeting", "agenda", "positioning", "pitch", "ask_commitment",
    "small_talk", "off_topic", "objection_response", "question",
)  # fmt: skip
COMMAND_LABELS = ("help", "hint", "restart", "score", "quit")
MIN_EXEMPLARS = {"framework": 20, "move": 12}


class Bilingual(StrictModel):
    """One text in both languages."""

    zh: Text
    en: Text

    def get(self, language: Language) -> str:
        """The text in ``language``."""
        return self.zh if language == "zh" else self.en


class TextLists(StrictModel):
    """Lists of texts (exemplars, keywords) per language; neither list may be empty."""

    zh: list[Text] = Field(min_length=1)
    en: list[Text] = Field(min_length=1)

    def get(self, language: Language) -> list[str]:
        """The list for ``language``."""
        return self.zh if language == "zh" else self.en

    def items(self) -> Iterator[tuple[Language, str]]:
        """Every (language, text) pair, Chinese first."""
        yield from (("zh", text) for text in self.zh)
        yield from (("en", text) for text in self.en)


class Patterns(StrictModel):
    """Regular expressions per language (matched case-insensitively); lists may be empty."""

    zh: list[Text] = Field(default_factory=list)
    en: list[Text] = Field(default_factory=list)

    @field_validator("zh", "en")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return patterns

    def get(self, language: Language) -> list[str]:
        """The patterns for ``language``."""
        return self.zh if language == "zh" else self.en


class Cite(StrictModel):
    """A handbook citation: resolved against the search index by ``query``, checked by ``anchor``."""

    query: Text
    anchor: Text  # short verbatim string the cited passage must contain


class CoachingNote(StrictModel):
    """A coaching tip in our own words, backed by handbook passages."""

    zh: Text
    en: Text
    cites: list[Cite] = Field(min_length=1)


class Part(StrictModel):
    """One label of a framework: what it is, how to coach it, and how to recognise it."""

    label: Label
    names: Bilingual
    purpose: Bilingual
    when_to_use: Bilingual
    common_mistakes: list[Bilingual] = Field(min_length=1)
    coaching_notes: list[CoachingNote] = Field(min_length=1)
    form: Form = "any"  # "question": only questions can carry this label
    cues: Patterns
    exemplars: TextLists

    @model_validator(mode="after")
    def _enough_exemplars(self) -> Part:
        _check_exemplars(self.exemplars, MIN_EXEMPLARS["framework"])
        return self


class AnalyserSettings(StrictModel):
    """Knobs of the nearest-neighbour scorer for one framework (see ``service.dialogue``)."""

    k: int = Field(default=3, ge=1, le=20)
    temperature: float = Field(default=0.02, gt=0, le=1)  # softmax temperature over cosine similarities
    cue_weight: float = Field(default=1.0, ge=0)  # logit bonus per matching cue (capped at two)
    linear_weight: float = Field(default=0.0, ge=0)  # weight of a ridge classifier over exemplar embeddings
    ridge: float = Field(default=0.3, gt=0)  # its L2 penalty
    unsure_margin: float = Field(default=0.15, ge=0, le=1)  # best-minus-second probability below this: unsure
    min_similarity: float = Field(default=0.82, ge=0, le=1)  # best exemplar similarity below this: unsure
    thresholds: dict[Label, float] = Field(default_factory=dict)  # multi-label: per-label cut-offs
    cue_feature_weight: float = Field(default=0.1, ge=0)  # multi-label: cue hits as read-out inputs
    # logit biases by conversational context, e.g. {"after:problem": {"implication": 1.5}}
    context: dict[
        Annotated[str, StringConstraints(pattern=r"^(after|about|stage):[a-z_]+$")], dict[Label, float]
    ] = Field(default_factory=dict)


class Example(StrictModel):
    """A labelled training utterance (several labels for a multi-label framework such as FABE)."""

    text: Text
    labels: list[Label] = Field(min_length=1)


class Framework(StrictModel):
    """A framework playbook (one YAML file)."""

    id: FrameworkId
    names: Bilingual
    summary: Bilingual
    multi_label: bool = False
    analyser: AnalyserSettings = Field(default_factory=AnalyserSettings)
    question_cues: Patterns | None = None  # how to tell a question from a statement
    parts: list[Part] = Field(min_length=1)
    examples: list[Example] = Field(default_factory=list)  # labelled utterances beyond the exemplars

    @model_validator(mode="after")
    def _valid_labels(self) -> Framework:
        labels_list = [part.label for part in self.parts]
        duplicates = sorted({label for label in labels_list if labels_list.count(label) > 1})
        if duplicates:
            raise ValueError(f"parts: duplicate label(s) {', '.join(duplicates)}")
        _check_thresholds(self.analyser, labels_list)
        labels = set(self.labels)
        for number, example in enumerate(self.examples):
            unknown = [label for label in example.labels if label not in labels]
            if unknown:
                raise ValueError(f"examples.{number}: unknown label(s) {', '.join(unknown)}")
            if not self.multi_label and len(example.labels) != 1:
                raise ValueError(f"examples.{number}: exactly one label (the framework is single-label)")
        return self

    @property
    def labels(self) -> list[str]:
        """The part labels in file order."""
        return [part.label for part in self.parts]

    def part(self, label: str) -> Part:
        """The part called ``label`` (KeyError if absent)."""
        for part in self.parts:
            if part.label == label:
                return part
        raise KeyError(label)


class Move(StrictModel):
    """A conversational move recognised from exemplars and cues."""

    label: Label
    names: Bilingual
    purpose: Bilingual
    form: Form = "any"
    cues: Patterns
    exemplars: TextLists

    @model_validator(mode="after")
    def _enough_exemplars(self) -> Move:
        _check_exemplars(self.exemplars, MIN_EXEMPLARS["move"])
        return self


class Command(StrictModel):
    """A chat command, matched only by exact keywords (after trimming and lower-casing)."""

    label: Label
    names: Bilingual
    purpose: Bilingual
    keywords: TextLists


class MovesPlaybook(StrictModel):
    """``moves.yaml``: conversational moves and chat commands."""

    id: Literal["moves"]
    names: Bilingual
    summary: Bilingual
    analyser: AnalyserSettings = Field(default_factory=AnalyserSettings)
    moves: list[Move] = Field(min_length=1)
    commands: list[Command] = Field(min_length=1)

    @model_validator(mode="after")
    def _fixed_labels(self) -> MovesPlaybook:
        _check_labels([move.label for move in self.moves], MOVE_LABELS, "moves")
        _check_labels([command.label for command in self.commands], COMMAND_LABELS, "commands")
        seen: dict[str, str] = {}
        for command in self.commands:
            for _, keyword in command.keywords.items():
                key = keyword.lower()
                if seen.setdefault(key, command.label) != command.label:
                    raise ValueError(f"keyword {keyword!r} belongs to both {seen[key]} and {command.label}")
        return self

    @property
    def labels(self) -> list[str]:
        """The move labels in file order (commands excluded)."""
        return [move.label for move in self.moves]


def _check_labels(labels: list[str], expected: tuple[str, ...], field: str) -> None:
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"{field}: duplicate label(s) {', '.join(duplicates)}")
    missing = [label for label in expected if label not in labels]
    unknown = [label for label in labels if label not in expected]
    if missing or unknown:
        raise ValueError(
            f"{field}: labels must be exactly {', '.join(expected)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )


def _check_thresholds(settings: AnalyserSettings, labels: list[str]) -> None:
    unknown = [label for label in settings.thresholds if label not in labels]
    if unknown:
        raise ValueError(f"analyser.thresholds: unknown label(s) {', '.join(unknown)}")
    for key, biases in settings.context.items():
        unknown = [label for label in biases if label not in labels]
        if unknown:
            raise ValueError(f"analyser.context.{key}: unknown label(s) {', '.join(unknown)}")


def _check_exemplars(exemplars: TextLists, minimum: int) -> None:
    for language, texts in (("zh", exemplars.zh), ("en", exemplars.en)):
        if len(texts) < minimum:
            raise ValueError(f"exemplars.{language}: needs at least {minimum}, has {len(texts)}")
        repeated = sorted({text for text in texts if texts.count(text) > 1})
        if repeated:
            raise ValueError(f"exemplars.{language}: duplicate exemplar {repeated[0]!r}")


class Frameworks(StrictModel):
    """Every coaching framework (by id, in file order) and the moves playbook."""

    coaching: dict[FrameworkId, Framework]
    moves: MovesPlaybook

    @model_validator(mode="after")
    def _one_question_detector(self) -> Frameworks:
        owners = [name for name, framework in self.coaching.items() if framework.question_cues is not None]
        if len(owners) != 1:
            raise ValueError(
                f"question_cues: exactly one framework must define them (found {owners or 'none'})"
            )
        return self

    @property
    def names(self) -> list[str]:
        """The coaching frameworks' ids (file order)."""
        return list(self.coaching)

    def framework(self, name: str) -> Framework | MovesPlaybook:
        """The playbook called ``name`` (a coaching framework, or ``moves``)."""
        if name == MOVES_FILE:
            return self.moves
        return self.coaching[name]

    def coaching_framework(self, name: str) -> Framework:
        return self.coaching[name]

    @property
    def all_names(self) -> list[str]:
        """Every playbook the analyser scores: the coaching frameworks, then ``moves``."""
        return [*self.coaching, MOVES_FILE]

    @property
    def question_cues(self) -> Patterns:
        """The question-form patterns, shared by every framework (kept in one framework file, SPIN's)."""
        cues = next(f.question_cues for f in self.coaching.values() if f.question_cues is not None)
        assert cues is not None
        return cues


def load_frameworks(playbooks_dir: Path) -> Frameworks:
    """Load and validate every ``<playbooks_dir>/frameworks/*.yaml``: ``moves.yaml`` and one coaching
    framework per other file, its id matching the file name.

    Raises ``PlaybookError`` naming the file and the field on the first problem found.
    """
    folder = Path(playbooks_dir) / "frameworks"
    moves_path = folder / f"{MOVES_FILE}.yaml"
    coaching: dict[str, Framework] = {}
    for path in sorted(folder.glob("*.yaml"), key=_file_order):
        if path == moves_path:
            continue
        framework = load_yaml_model(path, Framework)
        if framework.id != path.stem:
            raise PlaybookError(
                path, f"id: must be {path.stem!r} to match the file name, got {framework.id!r}"
            )
        coaching[framework.id] = framework
    moves = load_yaml_model(moves_path, MovesPlaybook)
    try:
        return Frameworks(coaching=coaching, moves=moves)
    except ValueError as exc:
        raise PlaybookError(folder, str(exc).splitlines()[-1] if str(exc) else "invalid frameworks") from exc


ORDER = ("spin", "fabe", "lscpa")  # the teaching order of the built-in frameworks; others follow by name


def _file_order(path: Path) -> tuple[int, str]:
    return (ORDER.index(path.stem) if path.stem in ORDER else len(ORDER), path.stem)
