"""Structure-aware chunking of the cleaned Markdown handbooks.

A passage never spans two sections: the Markdown headings delimit sections, and each section's body
is cut into windows of whole paragraphs (long paragraphs at sentence ends). The first window of a
section starts at its heading text, so a passage always says what it is about. ``passage.text`` is
exactly ``markdown[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .corpus import Document
from .passage import Passage

CHUNKER_VERSION = "sections-v1"
MAX_CHARS = 320

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass
class _Span:
    start: int
    end: int


@dataclass
class _Section:
    path: tuple[str, ...]
    heading: _Span | None
    blocks: list[_Span]


def _sections(markdown: str) -> Iterator[_Section]:
    """Walk the Markdown once, yielding each section with its heading path and paragraph spans."""
    stack: list[tuple[int, str]] = []
    current = _Section(path=(), heading=None, blocks=[])
    block_start: int | None = None
    offset = 0
    for line in markdown.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        match = _HEADING.match(stripped)
        if (match or not stripped.strip()) and block_start is not None:
            current.blocks.append(_Span(block_start, _trim_end(markdown, block_start, offset)))
            block_start = None
        if match:
            yield current
            level, title = len(match.group(1)), match.group(2)
            text_start = offset + match.start(2)
            if level == 1:
                stack = []
                current = _Section(path=(), heading=None, blocks=[])
            else:
                stack = [(lvl, name) for lvl, name in stack if lvl < level] + [(level, title)]
                current = _Section(
                    path=tuple(name for _, name in stack),
                    heading=_Span(text_start, text_start + len(title)),
                    blocks=[],
                )
        elif stripped.strip() and block_start is None:
            block_start = offset + (len(stripped) - len(stripped.lstrip()))
        offset += len(line)
    if block_start is not None:
        current.blocks.append(_Span(block_start, _trim_end(markdown, block_start, offset)))
    yield current


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _split_long(markdown: str, span: _Span, max_chars: int) -> list[_Span]:
    """Cut a paragraph longer than ``max_chars`` at sentence ends (never inside a sentence)."""
    if span.end - span.start <= max_chars:
        return [span]
    pieces: list[_Span] = []
    piece_start = span.start
    cursor = span.start
    for sentence in _SENTENCE_END.split(markdown[span.start : span.end]):
        if not sentence:
            continue
        if cursor > piece_start and cursor + len(sentence) - piece_start > max_chars:
            pieces.append(_Span(piece_start, cursor))
            piece_start = cursor
        cursor += len(sentence)
    pieces.append(_Span(piece_start, span.end))
    return pieces


def _windows(markdown: str, section: _Section, max_chars: int) -> Iterator[_Span]:
    """Group a section's paragraphs into windows of at most ``max_chars`` (a single long sentence may exceed)."""
    units = [piece for block in section.blocks for piece in _split_long(markdown, block, max_chars)]
    if not units:
        return
    window = _Span(section.heading.start if section.heading else units[0].start, units[0].end)
    for unit in units[1:]:
        if unit.end - window.start > max_chars:
            yield window
            window = _Span(unit.start, unit.end)
        else:
            window.end = unit.end
    yield window


def chunk_document(document: Document, max_chars: int = MAX_CHARS) -> list[Passage]:
    """Cut one document into passages, in reading order."""
    passages: list[Passage] = []
    for section in _sections(document.markdown):
        for span in _windows(document.markdown, section, max_chars):
            passages.append(
                Passage(
                    id=f"{document.id}:{len(passages):04d}",
                    doc_id=document.id,
                    doc_title=document.title,
                    section_path=section.path,
                    text=document.markdown[span.start : span.end],
                    start=span.start,
                    end=span.end,
                )
            )
    return passages


def chunk_documents(documents: list[Document], max_chars: int = MAX_CHARS) -> list[Passage]:
    """Cut every document; passage ids are ``<doc id>:<running number>``."""
    return [passage for document in documents for passage in chunk_document(document, max_chars)]
