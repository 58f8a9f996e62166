import re

from service.retrieval.chunker import chunk_document
from service.retrieval.corpus import Document

HEADING = re.compile(r"^#{1,6} ", re.M)

MARKDOWN = """# 手册

前言一段。

## 一、大客户

正文一。第二句。

### 1、什么是项目影响

正文二。

#### (1) 小节

{long}

## 二、结束

尾。
"""


def _doc(text: str) -> Document:
    return Document(id="009", title="手册", markdown=text)


def test_passages_are_exact_slices_with_section_paths():
    markdown = MARKDOWN.format(long="长句子。" * 100)
    passages = chunk_document(_doc(markdown), max_chars=60)
    for passage in passages:
        assert markdown[passage.start : passage.end] == passage.text
    sections = [p.section for p in passages]
    assert sections[0] == ""
    assert "一、大客户 > 1、什么是项目影响 > (1) 小节" in sections
    assert sections[-1] == "二、结束"
    assert [p.id for p in passages][:2] == ["009:0000", "009:0001"]


def test_first_window_of_a_section_starts_at_its_heading():
    passages = chunk_document(_doc(MARKDOWN.format(long="短。")), max_chars=200)
    first = next(p for p in passages if p.section == "一、大客户")
    assert first.text.startswith("一、大客户\n\n正文一。")


def test_long_paragraphs_split_at_sentence_ends_and_never_cross_sections():
    markdown = MARKDOWN.format(long="这是一个比较长的句子。" * 40)
    passages = chunk_document(_doc(markdown), max_chars=80)
    long_parts = [p for p in passages if p.section.endswith("(1) 小节")]
    assert len(long_parts) > 3
    assert all(p.text.endswith("。") for p in long_parts)
    for passage in passages:
        assert not HEADING.search(markdown[passage.start + 1 : passage.end])
        assert "尾。" not in passage.text or passage.section == "二、结束"


def test_embedding_text_carries_title_and_section_path():
    passages = chunk_document(_doc(MARKDOWN.format(long="短。")))
    deep = next(p for p in passages if p.section_path[-1:] == ("(1) 小节",))
    assert deep.embedding_text.startswith("手册 > 一、大客户 > 1、什么是项目影响 > (1) 小节\n")


def test_real_handbooks_chunk_cleanly(documents):
    for document in documents:
        passages = chunk_document(document)
        assert passages, document.id
        for passage in passages:
            assert document.markdown[passage.start : passage.end] == passage.text
            assert not HEADING.search(document.markdown[passage.start + 1 : passage.end])
            assert len(passage.text) <= 700, (passage.id, len(passage.text))
