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


# What the models see of a long text, in rough model tokens (a Chinese character is one, an English
# word about one and a half): its question sentences (from the end), up to this budget — a pasted
# page costs a few times what a short question costs (the embedder's cost grows faster than the
# length, BM25's with the words).
MAX_FOCUS_TOKENS = 64
MAX_FOCUS_CHARS = 240  # and characters, for text without words to count (a run of "xxxx…")
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")


def _cost(text: str) -> float:
    return sum(1.0 if len(unit) == 1 and _CJK.match(unit) else 1.5 for unit in _UNIT.findall(text))


def focus(text: str, limit: float = MAX_FOCUS_TOKENS) -> str:
    """All of a short text; of a long one, its question sentences from the last backwards (else its
    opening sentences), within ``limit``; a single overlong question keeps its end (where it asks)."""
    if _cost(text) <= limit:
        return text if len(text) <= MAX_FOCUS_CHARS else text[-MAX_FOCUS_CHARS:]
    parts = sentences(text)
    asked = _asked(parts)
    ordered = list(reversed(asked)) if asked else parts
    kept: list[str] = []
    for part in ordered:
        if sum(_cost(p) for p in kept) + _cost(part) > limit:
            break
        kept.append(part)
    if kept:
        chosen = " ".join(reversed(kept) if asked else kept)
    else:
        chosen = _clip(ordered[0] if ordered else text, limit, keep_end=bool(asked))
    return chosen if len(chosen) <= MAX_FOCUS_CHARS else chosen[-MAX_FOCUS_CHARS:]


def asked_part(text: str) -> str:
    """The question sentences of a message that also says other things ("How many projects are you
    buying for? Just want a feel for the volume." → its first sentence); else the whole message."""
    parts = sentences(text)
    asked = _asked(parts)
    return " ".join(asked) if asked and len(asked) < len(parts) else text


def _asked(parts: list[str]) -> list[str]:
    """The sentences that end with a question mark."""
    return [part for part in parts if part.rstrip().endswith(("?", "？"))]


def _clip(text: str, limit: float, keep_end: bool) -> str:
    """The longest start (or end) of ``text`` within ``limit``."""
    units = list(_UNIT.finditer(text))
    if keep_end:
        units.reverse()
    total, cut = 0.0, None
    for unit in units:
        total += 1.0 if len(unit.group()) == 1 and _CJK.match(unit.group()) else 1.5
        if total > limit:
            break
        cut = unit
    if cut is None:
        return text[: int(limit)]
    return text[cut.start() :] if keep_end else text[: cut.end()]


def clean_text(text: str) -> str:
    """User text as the service keeps it: NUL characters removed (PostgreSQL refuses them in text,
    SQLite keeps them, so one rule for both) and lone surrogates, which no database or UTF-8 encoder
    takes, replaced by U+FFFD. Everything else is left as sent."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)
