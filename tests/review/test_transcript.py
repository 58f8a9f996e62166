"""Reading transcripts: every format, auto-detection, and a clear error for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import InvalidInput
from service.review.transcript import Limits, detect, parse

DATA = Path(__file__).parent / "data"


def test_plain_text_with_full_and_half_width_colons_and_continuations() -> None:
    text = "销售：您好，\n我是小李。\n客户:你好\n\nMe: Shall we start?\nClient：Sure."
    turns = parse(text)
    assert [(t.speaker, t.text) for t in turns] == [
        ("销售", "您好，我是小李。"), ("客户", "你好"), ("Me", "Shall we start?"), ("Client", "Sure."),
    ]  # fmt: skip
    assert all(t.start is None and t.end is None for t in turns)


def test_plain_text_names_with_spaces_and_a_bom() -> None:
    turns = parse(
        "\ufeffMark Davis: Hi Priya.\nPriya Shah: Hi Mark, how are you?\nMark Davis: Fine.".encode()
    )
    assert [t.speaker for t in turns] == ["Mark Davis", "Priya Shah", "Mark Davis"]


def test_vtt_voices_multiline_cues_and_speakerless_continuations() -> None:
    turns = parse((DATA / "visit.vtt").read_bytes())
    assert detect((DATA / "visit.vtt").read_text()) == "vtt"
    assert [t.speaker for t in turns][:4] == ["Olivia Chen", "Tom Baker", "Olivia Chen", "Tom Baker"]
    assert turns[3].text == "About nine hundred, across four doctors and two nurses."
    no_shows = turns[5]  # two cues, the second without a voice: one turn from 22.5 s to 31 s
    assert no_shows.text.endswith("can't keep up with the calls.") and (no_shows.start, no_shows.end) == (
        22.5,
        31.0,
    )
    assert len(turns) == 10


def test_vtt_with_name_prefixes_instead_of_voices() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:03.500\nAnna: How many sites?\n\n00:04.000 --> 00:05.000\nBen: Three.\n"
    turns = parse(vtt)
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("Anna", "How many sites?", 1.0, 3.5), ("Ben", "Three.", 4.0, 5.0),
    ]  # fmt: skip


def test_srt_with_comma_milliseconds() -> None:
    turns = parse((DATA / "visit.srt").read_bytes())
    assert detect((DATA / "visit.srt").read_text(encoding="utf-8")) == "srt"
    assert turns[0].speaker == "周敏" and turns[0].start == 1.0 and turns[0].end == 5.0
    assert turns[1].speaker == "李主任" and turns[1].text == "好的，你说。"
    assert len(turns) == 8


def test_json_with_timestamps_as_seconds_or_clock_strings() -> None:
    turns = parse((DATA / "visit.json").read_bytes())
    assert len(turns) == 10 and turns[2].start == 8.5 and turns[2].end == 11.0
    clock = json.dumps([{"speaker": "A", "text": "Hi?", "start": "00:01:02.5", "end": "1:03"},
                        {"speaker": "B", "text": "Hello."}])  # fmt: skip
    first, second = parse(clock)
    assert (first.start, first.end) == (62.5, 63.0) and second.start is None
    assert parse(json.dumps({"turns": [{"speaker": "A", "text": "x"}, {"speaker": "B", "text": "y"}]}))


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        ("", "auto", "empty"),
        ("   \n\t ", "auto", "empty"),
        ("Hello there, how are you?\nFine thanks.", "auto", "no labelled utterances"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nno speaker here\n", "auto", "no labelled utterances"),
        ("销售：你好\n销售：在吗？", "auto", "only one speaker"),
        ("A: hi\nB: hello", "docx", "unknown transcript format"),
        ('[{"speaker": "A"}]', "auto", 'needs a "speaker" and a "text"'),
        ('[{"speaker": "A", "text": "hi", "start": "soon"}]', "json", '"start" is seconds'),
        ('[{"speaker": "A", "text": "hi", "start": -1}]', "json", "0 seconds or more"),
        ('{"speaker": "A", "text": "hi"', "json", "not valid JSON"),
        ('{"hello": 1}', "json", "is a list of"),
        ('[{"speaker": "A", "text": "\\ud800"}, {"speaker": "B", "text": "x"}]', "json", "lone surrogate"),
        ("A: caf\ufffd\nB: ok", "auto", "wrong encoding"),
    ],
)
def test_bad_transcripts_get_a_clear_error(data: str, fmt: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(data, fmt)


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        parse("销售：您好\n客户：你好".encode("gb18030"))


def test_oversized_bytes_and_turns_are_refused_with_the_limit() -> None:
    limits = Limits(max_bytes=2000, max_turns=10)
    with pytest.raises(InvalidInput, match="2000"):
        parse(("A: " + "字" * 700 + "\nB: ok").encode(), limits=limits)  # 2100+ bytes, fewer characters
    many = "\n".join(f"{'A' if i % 2 else 'B'}: line {i}" for i in range(11))
    with pytest.raises(InvalidInput, match="11 utterances; the limit is 10"):
        parse(many, limits=limits)
    assert len(parse("\n".join(many.splitlines()[:10]), limits=limits)) == 10


def test_nul_characters_are_dropped() -> None:
    turns = parse("A: he\x00llo\nB: ok\x00")
    assert [t.text for t in turns] == ["hello", "ok"]


def test_urls_and_clock_times_are_not_speakers() -> None:
    turns = parse("A: see https://example.com/x\n10:30 we met\nB: fine")
    assert [t.speaker for t in turns] == ["A", "B"]
    assert "https://example.com/x 10:30 we met" in turns[0].text
