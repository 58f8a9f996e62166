"""Small text operations the templates need: a difficulty's topic (its first clause), a fact
asked as a question (its figures become "多少" / "how many"), filling a template."""

from __future__ import annotations

import re

from ..text import Language

_CLAUSE = re.compile(r"[，,；;。.!！？?、]")
_END = re.compile(r"[\s。.!！？?；;，,]+$")
_FIGURE_ZH = re.compile(r"(约|大约|近|超过|共)?\d+(\.\d+)?(多|余)?")
_FIGURE_EN = re.compile(r"\b(about |around |over |nearly )?\$?\d[\d,.]*(%| percent)?")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def clauses(text: str) -> list[str]:
    """The text's clauses (split at commas, semicolons and sentence ends), stripped."""
    parts = [part.strip() for part in _CLAUSE.split(text)]
    return [part for part in parts if len(part) >= 2]


def bare(text: str) -> str:
    """The text without its end punctuation."""
    return _END.sub("", text.strip())


def topic_of(text: str, language: Language) -> str:
    """What a difficulty is about, short enough for a question: its first clause (Chinese) or the
    sentence without its end (English), first letter lowered."""
    parts = clauses(text)
    first = parts[0] if parts else bare(text)
    if language == "zh":
        return first
    return first[:1].lower() + first[1:] if first[:2] != first[:2].upper() else first


def asked(text: str, language: Language) -> str:
    """A statement with its figures asked for: "共有床位1200张" → "共有床位多少张"."""
    if language == "zh":
        return bare(_FIGURE_ZH.sub("多少", text))
    asked_for = _YEAR.sub("which year", text)
    return bare(_FIGURE_EN.sub("how many ", asked_for)).replace("  ", " ")


_TOPIC_ASIDE = re.compile(r"\s*—\s*\{topic\}\s*—|:\s*\{topic\}|\{topic\}[，,]\s*|[，,]\s*\{topic\}")


def without_topic(template: str) -> str:
    """The template with its mention of the topic taken out (when the topic is the whole
    difficulty, saying it again would repeat what the client just said)."""
    return _TOPIC_ASIDE.sub("", template)


def fill(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` replaced (unknown names are left as they are)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template
