"""The English translation is aligned with the Chinese handbooks line by line, complete, and used:
every passage carries the English of its lines; section questions name real sections."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from service.errors import PlaybookError
from service.knowledge.translation import (
    UNCLEAR,
    aligned_lines,
    alignment_problems,
    cjk_share,
    translation_path,
)
from service.retrieval.chunker import chunk_documents
from service.retrieval.corpus import handbook_paths, load_documents
from service.retrieval.questions import load_section_questions
from service.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def test_every_handbook_has_a_complete_aligned_translation():
    for path in handbook_paths(KNOWLEDGE):
        zh = path.read_text(encoding="utf-8")
        en = translation_path(KNOWLEDGE, path.stem).read_text(encoding="utf-8")
        assert alignment_problems(zh, en) == [], path.stem
        pairs = aligned_lines(zh, en)
        assert len(pairs) == sum(
            1 for line in zh.splitlines() if line.strip()
        )  # every paragraph has its English
        for pair in pairs:
            assert (pair.en.strip() and pair.en.strip() != pair.zh.strip()) or not re.search(
                r"[\u4e00-\u9fff]", pair.zh
            )
            assert cjk_share(pair.en) <= 0.10


def test_the_garbled_ocr_of_001_is_marked_not_invented():
    en = translation_path(KNOWLEDGE, "001").read_text(encoding="utf-8")
    assert UNCLEAR in en  # the unreadable stretches say so
    assert en.count(UNCLEAR) < 20  # ... and everything else is translated


@pytest.mark.parametrize(
    ("zh", "en", "problem"),
    [
        ("# 标题\n\n正文\n", "# Title\n\n", "3 Chinese lines but 2 English lines"),
        ("# 标题\n\n正文\n", "Title\n\nText\n", "heading level 1 in Chinese, 0 in English"),
        ("# 标题\n\n正文\n", "# Title\n\n\n", "line 3: not translated (empty)"),
        ("# 标题\n\n正文很长的一句话\n", "# Title\n\n正文很长的一句话\n", "line 3: still Chinese"),
        ("# 标题\n\n正文\n", "# Title\nTitle\nText\n", "line 2: blank in Chinese but not in English"),
    ],
)
def test_alignment_problems_are_named(zh, en, problem):
    assert any(problem in found for found in alignment_problems(zh, en))


def test_a_misaligned_translation_fails_loading_naming_the_file(tmp_path):
    (tmp_path / "handbooks" / "en").mkdir(parents=True)
    (tmp_path / "handbooks" / "000.md").write_text("# 手册\n\n第一段。\n\n第二段。\n", encoding="utf-8")
    (tmp_path / "handbooks" / "en" / "000.md").write_text(
        "# Handbook\n\nFirst paragraph.\n", encoding="utf-8"
    )
    with pytest.raises(PlaybookError) as info:
        load_documents(tmp_path)
    assert info.value.path.name == "000.md" and "not aligned" in info.value.message


def test_every_passage_carries_the_english_of_its_lines_and_its_offsets_are_unchanged(documents):
    passages = chunk_documents(documents)
    markdown = {d.id: d.markdown for d in documents}
    for passage in passages:
        assert passage.text == markdown[passage.doc_id][passage.start : passage.end]
        assert (
            passage.text_en
            and passage.doc_title_en
            and len(passage.section_path_en) == len(passage.section_path)
        )
        assert cjk_share(passage.text_en) <= 0.10
    first = next(p for p in passages if p.doc_id == "000" and "CUTE" in p.section)
    assert "CUTE" in first.section_en


def test_section_questions_cover_every_section_and_name_real_ones(documents):
    passages = chunk_documents(documents)
    sections: dict[str, set[str]] = {}
    for passage in passages:
        sections.setdefault(passage.doc_id, set()).add(passage.section)
    questions = load_section_questions(KNOWLEDGE, sections)
    asked = {(q.doc_id, q.section) for q in questions}
    assert asked == {(doc, section) for doc, names in sections.items() for section in names}
    for path in sorted((KNOWLEDGE / "questions").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]:
            assert len(entry["zh"]) >= 2 and len(entry["en"]) >= 2, (path.name, entry["section"])


def test_a_section_question_naming_no_section_is_an_error(tmp_path):
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "000.yaml").write_text(
        'doc: "000"\nsections:\n  - section: "no such heading"\n    zh: ["问题？"]\n    en: ["A question?"]\n',
        encoding="utf-8",
    )
    with pytest.raises(PlaybookError) as info:
        load_section_questions(tmp_path, {"000": {"一、真的章节"}})
    assert "no section 'no such heading'" in info.value.message


def test_section_questions_copy_no_evaluation_question():
    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text).lower()

    evaluation = {
        key(json.loads(line)["query"])
        for path in sorted((PROJECT_ROOT / "bench" / "data").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and "query" in json.loads(line)
    }
    for path in sorted((KNOWLEDGE / "questions").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]:
            for question in [*entry["zh"], *entry["en"]]:
                assert key(question) not in evaluation, question
