"""Index persistence and staleness on a tiny real corpus, with the real bundled e5 model."""

from __future__ import annotations

import json

import pytest

from service.errors import IndexNotReady
from service.retrieval.index import MANIFEST, HandbookIndex
from service.retrieval.searcher import HandbookSearch

pytestmark = pytest.mark.integration


def test_build_saves_manifest_and_loads_back(tmp_path, knowledge, e5):
    index = HandbookIndex(tmp_path / "index", knowledge, e5)
    assert index.is_stale()
    with pytest.raises(IndexNotReady):
        index.load()
    manifest = index.build()
    assert manifest.passages == 3
    saved = json.loads((tmp_path / "index" / MANIFEST).read_text())
    assert saved["embedder_id"] == e5.id and saved["chunker_version"].startswith("sections-")
    assert len(saved["corpus_hash"]) == 64

    reloaded = HandbookIndex(tmp_path / "index", knowledge, e5)
    assert not reloaded.is_stale()
    assert reloaded.ensure() is False  # loaded, not rebuilt
    assert [p.text for p in reloaded.passages] == [p.text for p in index.passages]
    hit = HandbookSearch(reloaded, max_query_chars=2000).search("团购客户有哪几种", k=1).hits[0]
    assert hit.passage.section == "二、团购客户"


def test_changed_handbook_makes_the_index_stale_and_ensure_rebuilds(tmp_path, knowledge, e5):
    index = HandbookIndex(tmp_path / "index", knowledge, e5)
    index.build()
    path = knowledge / "handbooks" / "101.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## 2、新增\n\n新的内容。\n", encoding="utf-8")
    fresh = HandbookIndex(tmp_path / "index", knowledge, e5)
    assert fresh.is_stale()
    assert fresh.ensure() is True
    assert any(p.section == "2、新增" for p in fresh.passages)
    assert not HandbookIndex(tmp_path / "index", knowledge, e5).is_stale()


def test_glossary_change_makes_the_index_stale(tmp_path, knowledge, e5):
    HandbookIndex(tmp_path / "index", knowledge, e5).build()
    (knowledge / "glossary.yaml").write_text("version: 1\nterms: []\n", encoding="utf-8")
    assert HandbookIndex(tmp_path / "index", knowledge, e5).is_stale()


def test_corrupt_manifest_counts_as_stale(tmp_path, knowledge, e5):
    HandbookIndex(tmp_path / "index", knowledge, e5).build()
    (tmp_path / "index" / MANIFEST).write_text("{not json", encoding="utf-8")
    assert HandbookIndex(tmp_path / "index", knowledge, e5).is_stale()


def test_no_handbooks_is_a_clear_error(tmp_path, e5):
    (tmp_path / "empty" / "handbooks").mkdir(parents=True)
    with pytest.raises(IndexNotReady, match="no cleaned handbooks"):
        HandbookIndex(tmp_path / "index", tmp_path / "empty", e5).build()
