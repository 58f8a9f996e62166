"""Structure-aware chunking of the cleaned Markdown handbooks.

A passage never spans two sections: the Markdown headings delimit sections, and each section's body
is cut into windows of whole paragraphs (long paragraphs at sentence ends). The first window of a
section starts at its heading text, so a passage always says what it is about. ``passage.text`` is
exactly ``markdown[start:end]``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .corpus import Document
from .passage import Passage

CHUNKER_VERSION = "sections-v2-en"
MAX_CHARS = 320

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$")
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+")
_EN_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
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
    heading_lines: tuple[int, ...] = ()  # 0-based line numbers of the path's headings


def _sections(markdown: str) -> Iterator[_Section]:
    """Walk the Markdown once, yielding each section with its heading path and paragraph spans."""
    stack: list[tuple[int, str, int]] = []
    current = _Section(path=(), heading=None, blocks=[])
    block_start: int | None = None
    offset = 0
    for number, line in enumerate(markdown.splitlines(keepends=True)):
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
                stack = [item for item in stack if item[0] < level] + [(level, title, number)]
                current = _Section(
                    path=tuple(name for _, name, _ in stack),
                    heading=_Span(text_start, text_start + len(title)),
                    blocks=[],
                    heading_lines=tuple(line for _, _, line in stack),
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


class _English:
    """The translation's lines, looked up by the Chinese character offsets of a span."""

    def __init__(self, markdown: str, english: str | None) -> None:
        self.starts = [0]
        for line in markdown.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.lines = (
            [_HEADING_MARK.sub("", line).strip() for line in english.splitlines()] if english else None
        )

    def span(self, span: _Span) -> str:
        if self.lines is None:
            return ""
        first = bisect_right(self.starts, span.start) - 1
        last = bisect_right(self.starts, max(span.start, span.end - 1)) - 1
        if first == last:  # a piece of one long paragraph: the English sentences in the same share of it
            return self._share(first, span)
        return "\n".join(line for line in self.lines[first : last + 1] if line)

    def _share(self, number: int, span: _Span) -> str:
        assert self.lines is not None
        line_start, line_end = self.starts[number], self.starts[number + 1]
        length = max(1, line_end - line_start)
        low, high = (span.start - line_start) / length, (span.end - line_start) / length
        if low <= 0.02 and high >= 0.98:
            return self.lines[number]
        english = [part for part in _EN_SENTENCE.split(self.lines[number]) if part.strip()]
        total = sum(len(part) for part in english) or 1
        kept, position = [], 0
        for part in english:
            middle = (position + len(part) / 2) / total
            position += len(part)
            if low <= middle < high or (high >= 0.98 and middle >= low):
                kept.append(part.strip())
        return " ".join(kept) or self.lines[number]

    def headings(self, numbers: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(self.lines[n] for n in numbers) if self.lines is not None else ()


def chunk_document(document: Document, max_chars: int = MAX_CHARS) -> list[Passage]:
    """Cut one document into passages, in reading order, each with the English of its lines."""
    passages: list[Passage] = []
    english = _English(document.markdown, document.markdown_en)
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
                    text_en=english.span(span),
                    section_path_en=english.headings(section.heading_lines),
                    doc_title_en=document.title_en or "",
                )
            )
    return passages


def chunk_documents(documents: list[Document], max_chars: int = MAX_CHARS) -> list[Passage]:
    """Cut every document; passage ids are ``<doc id>:<running number>``."""
    return [passage for document in documents for passage in chunk_document(document, max_chars)]
