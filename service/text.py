"""Small text helpers shared by retrieval, analysis and evaluation."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def detect_language(text: str) -> Language:
    """``zh`` when Chinese characters carry the text, else ``en``.

    A Chinese character carries about as much as a short English word, so three Latin letters
    weigh as much as one Han character.
    """
    han = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if han and han * 3 >= latin else "en"


def match_key(text: str) -> str:
    """NFKC, then drop whitespace, punctuation and symbols: the evaluation's matching rule."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normal if not ch.isspace() and unicodedata.category(ch)[0] not in {"P", "S"})


def sentences(text: str) -> list[str]:
    """Split Chinese or English text into sentences (keeping their end punctuation)."""
    parts = [part.strip() for part in _SENTENCE.findall(text)]
    return [part for part in parts if part]


def clean_text(text: str) -> str:
    """User text as the service keeps it: NUL characters removed (PostgreSQL refuses them in text,
    SQLite keeps them, so one rule for both) and lone surrogates, which no database or UTF-8 encoder
    takes, replaced by U+FFFD. Everything else is left as sent."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)
