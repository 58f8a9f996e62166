"""Reading a visit's transcript: plain text with speaker labels, WebVTT, SRT or JSON.

Every format becomes the same list of ``Utterance``s in the order given. Anything that cannot be
read as a transcript (empty, no speaker labels, not UTF-8, too large, malformed) is an
``InvalidInput`` whose message says what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import InvalidInput
from ..text import clean_text

Format = Literal["auto", "text", "vtt", "srt", "json"]
FORMATS: tuple[str, ...] = ("auto", "text", "vtt", "srt", "json")
MAX_SPEAKER_CHARS = 40


@dataclass(frozen=True)
class Utterance:
    speaker: str
    text: str
    start: float | None = None  # seconds from the start of the recording
    end: float | None = None


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200_000
    max_turns: int = 2000


# "销售：…", "Me: …", "Mark Davis: …": a label of at most 40 characters without sentence punctuation
_LABEL = re.compile(
    r"^\s*(?P<name>[^\s:：,，。.?？!！\"“”'()（）<>\[\]][^:：,，。?？!！\"“”()（）<>\[\]]{0,39}?)\s*[:：]\s*(?P<text>.*)$"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+(?P<name>[^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_CUE_TIME = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:[.,]\d+)?)$")
# a line that is only a timestamp or a note ("[00:01:02]", "(laughs)") is skipped in plain text
_BARE_TIME = re.compile(r"^\s*\[?\(?(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?\]?\)?\s*$")


def decode(data: bytes | str) -> str:
    """The transcript as text: UTF-8 (a BOM is dropped); anything else is refused with the reason."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidInput(
                f"the transcript is not UTF-8 text (undecodable byte at offset {error.start}); "
                "save or export it as UTF-8 and try again"
            ) from None
    text = clean_text(text)  # NUL dropped, lone surrogates become U+FFFD
    if "\ufffd" in text:
        raise InvalidInput(
            "the transcript holds U+FFFD replacement characters or lone surrogates: it was read with the "
            "wrong encoding; save or export it as UTF-8 and try again"
        )
    return text.lstrip("\ufeff")


def parse(data: bytes | str, fmt: str = "auto", limits: Limits | None = None) -> list[Utterance]:
    """The utterances of a transcript, in order. ``fmt`` is auto, text, vtt, srt or json."""
    limits = limits or Limits()
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown transcript format {fmt!r}: use one of {', '.join(FORMATS)}")
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise InvalidInput(f"the transcript has {size} bytes; the limit is {limits.max_bytes}")
    text = decode(data)
    if not text.strip():
        raise InvalidInput("the transcript is empty")
    chosen = detect(text) if fmt == "auto" else fmt
    readers = {"text": _plain, "vtt": _vtt, "srt": _srt, "json": _json}
    turns = [u for u in readers[chosen](text) if u.text]
    if not turns:
        raise InvalidInput(
            f"no labelled utterances found in this {chosen} transcript: start every turn with its "
            "speaker, e.g. '销售：…' / '客户：…', 'Me: …' / 'Client: …'"
            + (", or '<v Name>' in WebVTT" if chosen == "vtt" else "")
        )
    if len(turns) > limits.max_turns:
        raise InvalidInput(f"the transcript has {len(turns)} utterances; the limit is {limits.max_turns}")
    if len({u.speaker for u in turns}) < 2:
        raise InvalidInput(
            f"only one speaker ({turns[0].speaker!r}) in the transcript: a review needs the salesperson "
            "and the client, each turn labelled with its speaker"
        )
    return turns


def detect(text: str) -> str:
    """The format of a transcript by its first lines."""
    head = text.lstrip()
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith("WEBVTT"):
        return "vtt"
    lines = [line for line in head.splitlines()[:3] if line.strip()]
    if len(lines) >= 2 and lines[0].strip().isdigit() and _CUE_TIME.match(lines[1]):
        return "srt"
    if lines and _CUE_TIME.match(lines[0]):
        return "vtt"  # a VTT without its header
    return "text"


def _labelled(line: str) -> tuple[str, str] | None:
    match = _LABEL.match(line)
    if match is None or re.match(r"^(https?|ftp|mailto)$", match.group("name"), re.IGNORECASE):
        return None
    name = match.group("name").strip()
    if re.fullmatch(r"[\d\s.:,]+", name):  # "00:01" is a time, not a speaker
        return None
    return name, match.group("text").strip()


def _plain(text: str) -> list[Utterance]:
    """``Name: text`` / ``Name：text`` lines; an unlabelled line continues the turn before it."""
    turns: list[list[str]] = []  # [speaker, text]
    for line in text.splitlines():
        if not line.strip() or _BARE_TIME.match(line):
            continue
        labelled = _labelled(line)
        if labelled is not None:
            turns.append([labelled[0], labelled[1]])
        elif turns:
            turns[-1][1] = _join(turns[-1][1], line.strip())
    return [Utterance(speaker=s, text=t) for s, t in turns]


def _cues(text: str) -> list[tuple[float, float, list[str]]]:
    """Timed cues of VTT or SRT: (start, end, text lines); headers, notes and numbers skipped."""
    cues: list[tuple[float, float, list[str]]] = []
    current: tuple[float, float, list[str]] | None = None
    for line in text.splitlines():
        timing = _CUE_TIME.match(line)
        if timing is not None:
            current = (_seconds(timing.group("start")), _seconds(timing.group("end")), [])
            cues.append(current)
        elif not line.strip():
            current = None
        elif current is not None:
            current[2].append(line.strip())
    return cues


def _timed(text: str) -> list[Utterance]:
    turns: list[Utterance] = []
    for start, end, lines in _cues(text):
        body = " ".join(lines)
        voice = _VOICE.search(body)
        speaker: str | None = voice.group("name").strip() if voice else None
        content = _TAG.sub("", body).strip()
        if speaker is None and (labelled := _labelled(content)) is not None:
            speaker, content = labelled
        if speaker is None:  # a cue without a speaker continues the turn before it
            if turns:
                last = turns[-1]
                turns[-1] = Utterance(last.speaker, _join(last.text, content), last.start, end)
            continue
        turns.append(Utterance(speaker=speaker[:MAX_SPEAKER_CHARS], text=content, start=start, end=end))
    return turns


def _vtt(text: str) -> list[Utterance]:
    return _timed(text)


def _srt(text: str) -> list[Utterance]:
    return _timed(text)


def _json(text: str) -> list[Utterance]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"the transcript is not valid JSON: {error.msg} (line {error.lineno})") from None
    if isinstance(data, dict):
        data = data.get("turns", data.get("utterances"))
    if not isinstance(data, list):
        raise InvalidInput('a JSON transcript is a list of {"speaker", "text", "start"?, "end"?}')
    turns = []
    for number, item in enumerate(data, 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("speaker"), str)
            or not isinstance(item.get("text"), str)
        ):
            raise InvalidInput(f'JSON transcript item {number}: needs a "speaker" and a "text" string')
        speaker, said = clean_text(item["speaker"]).strip(), clean_text(item["text"]).strip()
        if not speaker:
            raise InvalidInput(f'JSON transcript item {number}: the "speaker" is empty')
        if "\ufffd" in said + speaker:
            raise InvalidInput(f"JSON transcript item {number}: a string holds a lone surrogate")
        turns.append(
            Utterance(
                speaker=speaker[:MAX_SPEAKER_CHARS],
                text=said,
                start=_time(item.get("start"), number, "start"),
                end=_time(item.get("end"), number, "end"),
            )
        )
    return turns


def _time(value: Any, number: int, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(f'JSON transcript item {number}: "{name}" is seconds or "hh:mm:ss.mmm"')
    if isinstance(value, str):
        if not _CLOCK.match(value.strip()):
            raise InvalidInput(f'JSON transcript item {number}: "{name}" is seconds or "hh:mm:ss.mmm"')
        return _seconds(value.strip())
    if value < 0 or value != value or value == float("inf"):
        raise InvalidInput(f'JSON transcript item {number}: "{name}" must be a time of 0 seconds or more')
    return float(value)


def _seconds(clock: str) -> float:
    match = _CLOCK.match(clock)
    assert match is not None
    hours, minutes, seconds = match.groups()
    return round(int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", ".")), 3)


def _join(left: str, right: str) -> str:
    """Two pieces of one turn: Chinese runs on, English gets a space."""
    if not left:
        return right
    cjk = re.match(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]", right or " ") is not None
    return f"{left}{'' if cjk else ' '}{right}"
