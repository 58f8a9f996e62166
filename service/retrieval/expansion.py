"""Query expansion with the glossary: English questions gain the handbooks' Chinese wording.

The handbooks are Chinese; a salesperson may ask in English. The multilingual embedder bridges part
of the gap, the keyword index none of it, so English phrases found in the glossary and its lexicon
(longest match first) add their Chinese names to the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .glossary import Glossary

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_MAX_PHRASE_WORDS = 5
TAGGER_VERSION = "tags-v2"


def english_words(text: str) -> list[str]:
    """Lower-cased English word tokens."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Expansion:
    """The Chinese words an English query maps to, and the phrases that produced them."""

    matched: tuple[str, ...]
    chinese: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...] = ()  # the Chinese names of each matched phrase

    def as_text(self) -> str:
        return " ".join(self.chinese)


class QueryExpander:
    """Maps English phrases to Chinese words using the glossary terms and lexicon."""

    def __init__(self, glossary: Glossary) -> None:
        self._phrases: dict[tuple[str, ...], list[str]] = {}
        for term in glossary.terms:
            for name in term.en_names:
                self._add(name, term.zh_names)
        for entry in glossary.lexicon:
            for name in entry.en:
                self._add(name, entry.zh)

    def _add(self, english: str, chinese: list[str]) -> None:
        key = tuple(english_words(english))
        if not key or len(key) > _MAX_PHRASE_WORDS:
            return
        targets = self._phrases.setdefault(key, [])
        targets.extend(word for word in chinese if word not in targets)

    def expand(self, query: str) -> Expansion:
        """Greedy longest-match of glossary phrases over the query's English words."""
        words = english_words(query)
        matched: list[str] = []
        chinese: list[str] = []
        groups: list[tuple[str, ...]] = []
        position = 0
        while position < len(words):
            for size in range(min(_MAX_PHRASE_WORDS, len(words) - position), 0, -1):
                key = tuple(words[position : position + size])
                if key in self._phrases:
                    matched.append(" ".join(key))
                    groups.append(tuple(self._phrases[key]))
                    chinese.extend(w for w in self._phrases[key] if w not in chinese)
                    position += size
                    break
            else:
                position += 1
        return Expansion(matched=tuple(matched), chinese=tuple(chinese), groups=tuple(groups))


class PassageTagger:
    """Document-side expansion: the English names of glossary concepts a Chinese passage mentions.

    Appending them to what is indexed (never to the quoted text) lets English questions meet the
    Chinese passages in both the keyword index and the embedding space.
    """

    def __init__(self, glossary: Glossary) -> None:
        pairs = [(name, term.en) for term in glossary.terms for name in term.zh_names]
        pairs += [(name, entry.en[0]) for entry in glossary.lexicon for name in entry.zh]
        # single characters match everywhere; longest names first so specific concepts lead the tags
        self._pairs = sorted((pair for pair in pairs if len(pair[0]) >= 2), key=lambda pair: -len(pair[0]))

    def tags(self, text: str) -> list[str]:
        """English names of the glossary concepts and words found in ``text``, most specific first."""
        found: list[str] = []
        for chinese, english in self._pairs:
            if chinese in text and english not in found:
                found.append(english)
        return found
