"""The bilingual glossary (``knowledge/glossary.yaml``): field terms and an English→Chinese lexicon."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from ..datafiles import StrictModel as _Strict
from ..datafiles import load_yaml_model


class Bilingual(_Strict):
    zh: str
    en: str


class Synonyms(_Strict):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Term(_Strict):
    """A concept of the field, named as the handbooks name it and as English speakers do."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    category: str
    zh: str
    en: str
    synonyms: Synonyms = Synonyms()
    definition: Bilingual

    @property
    def zh_names(self) -> list[str]:
        return [self.zh, *self.synonyms.zh]

    @property
    def en_names(self) -> list[str]:
        return [self.en, *self.synonyms.en]


class LexiconEntry(_Strict):
    """General vocabulary: English words and the Chinese words the handbooks use for them."""

    en: list[str] = Field(min_length=1)
    zh: list[str] = Field(min_length=1)


class Glossary(_Strict):
    version: int = 1
    terms: list[Term]
    lexicon: list[LexiconEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Glossary:
        seen: set[str] = set()
        for term in self.terms:
            if term.id in seen:
                raise ValueError(f"duplicate term id {term.id!r}")
            seen.add(term.id)
        return self

    def chinese_words(self) -> set[str]:
        """Every Chinese name in the glossary (fed to the word segmenter as whole words)."""
        words = {name for term in self.terms for name in term.zh_names}
        words.update(word for entry in self.lexicon for word in entry.zh)
        return {word for word in words if word.strip()}


def load_glossary(path: Path) -> Glossary:
    """Load and validate the glossary; a broken file raises ``PlaybookError`` naming file and field."""
    return load_yaml_model(path, Glossary)
