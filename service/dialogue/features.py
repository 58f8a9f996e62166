"""Hand-made features of an utterance, driven by the cue patterns kept in the playbooks.

The analyser combines these with embedding similarity: cues catch the surface markers the
handbooks teach ("影响/导致", "than", "your team will…"), embeddings catch everything else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from ..playbooks.frameworks import Command, Patterns
from ..text import Language

MAX_HITS_PER_LABEL = 2  # more than two matching cues adds nothing: long texts shouldn't win by length
_TRAILING = re.compile(r"[\s.。!！?？,，;；:：~～…]+$")


def _compile(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    return [re.compile(pattern, re.IGNORECASE) for pattern in patterns]


class CueMatcher:
    """Counts, per label, how many of that label's cue patterns match an utterance."""

    def __init__(self, cues: Sequence[Patterns]) -> None:
        self._compiled = {
            language: [_compile(patterns.get(language)) for patterns in cues]
            for language in ("zh", "en")
        }  # fmt: skip

    def hits(self, text: str, language: Language) -> np.ndarray:
        """Capped cue-hit counts, one per label, in the order the cues were given."""
        counts = [
            min(MAX_HITS_PER_LABEL, sum(1 for pattern in patterns if pattern.search(text)))
            for patterns in self._compiled[language]
        ]
        return np.asarray(counts, dtype=np.float32)


class QuestionDetector:
    """Tells a question from a statement using the question cues of the playbooks."""

    def __init__(self, cues: Patterns) -> None:
        self._compiled = {language: _compile(cues.get(language)) for language in ("zh", "en")}

    def is_question(self, text: str, language: Language) -> bool:
        """True when any question cue of ``language`` matches (a question mark is one of them)."""
        return any(pattern.search(text) for pattern in self._compiled[language])


def command_key(text: str) -> str:
    """Normalise a chat line for exact command matching: NFKC, trim, lower-case, no end punctuation."""
    normal = unicodedata.normalize("NFKC", text).strip().lower()
    normal = " ".join(normal.split())
    stripped = _TRAILING.sub("", normal)
    return stripped or normal  # "?" alone is itself a keyword


class CommandMatcher:
    """Maps exact command keywords (both languages) to command labels."""

    def __init__(self, commands: Sequence[Command]) -> None:
        self._keywords = {
            command_key(keyword): command.label
            for command in commands
            for _, keyword in command.keywords.items()
        }

    def match(self, text: str) -> str | None:
        """The command label when ``text`` is exactly one of its keywords, else None."""
        return self._keywords.get(command_key(text))
