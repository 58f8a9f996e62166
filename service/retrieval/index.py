"""The handbook index: passages, their FAISS vectors and a BM25 index, saved with a manifest.

The manifest records what the index was built from (corpus fingerprint, embedder id, chunker
version); when any of them differs from the current ones the index is stale and is rebuilt.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import IndexNotReady
from .chunker import CHUNKER_VERSION, MAX_CHARS, chunk_documents
from .corpus import GLOSSARY_FILE, corpus_fingerprint, load_documents
from .dense import DenseIndex
from .embedders import Embedder
from .embedding_cache import EmbeddingCache
from .expansion import TAGGER_VERSION, PassageTagger
from .glossary import Glossary, load_glossary
from .keyword import KeywordIndex, Segmenter
from .passage import Passage
from .questions import SectionQuestionIndex, load_section_questions

MANIFEST = "manifest.json"
PASSAGES = "passages.json"
VECTORS = "vectors.faiss"
VECTORS_EN = "vectors_en.faiss"
BM25_DIR = "bm25"
BM25_EN_DIR = "bm25_en"
QUESTIONS_DIR = "questions"
EMBED_BATCH = 16
CACHE_DIR = "embedding-cache"
INDEX_FORMAT = "zh-en-questions-v1"  # what the index holds; a change rebuilds it
SEED_CACHE = "embeddings"  # knowledge/embeddings: shipped embeddings, so a fresh checkout builds in seconds

Progress = Callable[[int, int], None]


def _part(progress: Progress | None, offset: int, total: int) -> Progress | None:
    """Report one stage of the build as part of the whole."""
    if progress is None:
        return None
    return lambda done, _: progress(offset + done, total)


def _rows_for(
    all_texts: list[str], embedded: list[str], vectors: np.ndarray, fallback_width: int
) -> np.ndarray:
    """One row per passage: its English vector, or zeros for a passage without a translation."""
    lookup = dict(zip(embedded, vectors, strict=True))
    width = vectors.shape[1] if len(vectors) else fallback_width
    return np.vstack([lookup.get(text, np.zeros(width, dtype=np.float32)) for text in all_texts]).astype(
        np.float32
    )


@dataclass(frozen=True)
class Manifest:
    corpus_hash: str
    embedder_id: str
    chunker_version: str
    passages: int
    built_at: float

    def matches(self, other: Manifest) -> bool:
        return (self.corpus_hash, self.embedder_id, self.chunker_version) == (
            other.corpus_hash,
            other.embedder_id,
            other.chunker_version,
        )


class HandbookIndex:
    """Build, save, load and hold the searchable handbook passages. ``__init__`` is cheap."""

    def __init__(
        self, index_dir: Path, knowledge_dir: Path, embedder: Embedder, use_seed: bool = True
    ) -> None:
        self.use_seed = use_seed  # False: embed everything (to measure a build from nothing)
        self.index_dir = Path(index_dir)
        self.knowledge_dir = Path(knowledge_dir)
        self.embedder = embedder
        self.glossary = self._load_glossary()
        self.segmenter = Segmenter(self.glossary.chinese_words())
        self.passages: list[Passage] = []
        self.dense = DenseIndex()  # the Chinese passages
        self.keyword = KeywordIndex(self.segmenter)
        self.dense_en = DenseIndex()  # their English translations
        self.keyword_en = KeywordIndex(self.segmenter, stem=True)
        self.questions = SectionQuestionIndex(self.segmenter)
        self.manifest: Manifest | None = None

    def _load_glossary(self) -> Glossary:
        path = self.knowledge_dir / GLOSSARY_FILE
        return load_glossary(path) if path.exists() else Glossary(terms=[])

    # -- staleness -------------------------------------------------------------------------------
    def expected_manifest(self) -> Manifest:
        """What a fresh index for the current corpus and embedder would record."""
        return Manifest(
            corpus_hash=corpus_fingerprint(self.knowledge_dir),
            embedder_id=self.embedder.id,
            chunker_version=f"{CHUNKER_VERSION}/{MAX_CHARS}/{TAGGER_VERSION}/{INDEX_FORMAT}",
            passages=0,
            built_at=0.0,
        )

    def saved_manifest(self) -> Manifest | None:
        path = self.index_dir / MANIFEST
        if not path.exists():
            return None
        try:
            return Manifest(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            return None

    def is_stale(self) -> bool:
        """True when there is no saved index or it was built from something else."""
        saved = self.saved_manifest()
        return saved is None or not saved.matches(self.expected_manifest())

    # -- build / load ----------------------------------------------------------------------------
    def build(self, progress: Progress | None = None) -> Manifest:
        """Chunk, embed and index the handbooks, then save atomically (a reader never sees half)."""
        documents = load_documents(self.knowledge_dir)
        if not documents:
            raise IndexNotReady(f"no cleaned handbooks under {self.knowledge_dir}/handbooks")
        tagger = PassageTagger(self.glossary)
        passages = [
            replace(p, tags=tuple(tagger.tags(p.section + "\n" + p.text))) for p in chunk_documents(documents)
        ]
        sections = [(p.doc_id, p.section) for p in passages]
        by_doc: dict[str, set[str]] = {}
        for doc_id, section in sections:
            by_doc.setdefault(doc_id, set()).add(section)
        questions = load_section_questions(self.knowledge_dir, by_doc)
        texts = [passage.embedding_text for passage in passages]
        texts_en = [passage.embedding_text_en for passage in passages if passage.text_en]
        asked = [question.text for question in questions]
        seeds = self.knowledge_dir / SEED_CACHE if self.use_seed else None
        cache = EmbeddingCache(self.index_dir.parent / CACHE_DIR, self.embedder.id, seed=seeds)
        query_cache = EmbeddingCache(
            self.index_dir.parent / CACHE_DIR, f"{self.embedder.id}#query", seed=seeds
        )
        total = len(texts) + len(texts_en) + len(asked)
        vectors = cache.vectors(
            texts + texts_en, self.embedder.embed_passages, EMBED_BATCH, _part(progress, 0, total)
        )
        asked_vectors = query_cache.vectors(
            asked,
            self.embedder.embed_queries,
            EMBED_BATCH * 4,
            _part(progress, len(texts) + len(texts_en), total),
        )
        cache.save(texts + texts_en)
        query_cache.save(asked)
        self._embedded = ((cache, texts + texts_en), (query_cache, asked))
        self.dense.build(vectors[: len(texts)])
        self.keyword.build(texts)
        english = [passage.embedding_text_en for passage in passages]
        self.dense_en.build(_rows_for(english, texts_en, vectors[len(texts) :], vectors.shape[1]))
        self.keyword_en.build(english)
        self.questions.build(questions, sections, asked_vectors, width=vectors.shape[1])
        self.passages = passages
        expected = self.expected_manifest()
        self.manifest = Manifest(
            corpus_hash=expected.corpus_hash,
            embedder_id=expected.embedder_id,
            chunker_version=expected.chunker_version,
            passages=len(passages),
            built_at=time.time(),
        )
        self._save()
        return self.manifest

    def export_seed(self) -> list[Path]:
        """Write this build's embeddings into ``knowledge/embeddings`` (``salescoach index --seed``)."""
        if not getattr(self, "_embedded", None):
            self.build()
        return [cache.export(texts, self.knowledge_dir / SEED_CACHE) for cache, texts in self._embedded]

    def _save(self) -> None:
        assert self.manifest is not None
        staging = self.index_dir.with_name(self.index_dir.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        payload = [passage.to_dict() for passage in self.passages]
        (staging / PASSAGES).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        self.dense.save(staging / VECTORS)
        self.keyword.save(staging / BM25_DIR)
        self.dense_en.save(staging / VECTORS_EN)
        self.keyword_en.save(staging / BM25_EN_DIR)
        self.questions.save(staging / QUESTIONS_DIR)
        (staging / MANIFEST).write_text(json.dumps(self.manifest.__dict__, indent=2), encoding="utf-8")
        old = self.index_dir.with_name(self.index_dir.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.index_dir.exists():
            self.index_dir.rename(old)
        staging.rename(self.index_dir)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> Manifest:
        """Load a saved index; raises ``IndexNotReady`` if it is missing or stale."""
        if self.is_stale():
            raise IndexNotReady(f"the index in {self.index_dir} is missing or stale: run `salescoach index`")
        raw = json.loads((self.index_dir / PASSAGES).read_text(encoding="utf-8"))
        self.passages = [Passage.from_dict(item) for item in raw]
        self.dense.load(self.index_dir / VECTORS)
        self.keyword.load(self.index_dir / BM25_DIR)
        self.dense_en.load(self.index_dir / VECTORS_EN)
        self.keyword_en.load(self.index_dir / BM25_EN_DIR)
        self.questions.load(self.index_dir / QUESTIONS_DIR, [(p.doc_id, p.section) for p in self.passages])
        self.manifest = self.saved_manifest()
        return self.manifest  # type: ignore[return-value]

    def ensure(self, progress: Progress | None = None) -> bool:
        """Load the saved index, rebuilding first when stale. Returns True when it rebuilt."""
        if self.is_stale():
            self.build(progress)
            return True
        self.load()
        return False

    def warm_up(self) -> None:
        """Load the model and the segmenter so the first query is as fast as the rest."""
        self.embedder.warm_up()
        self.segmenter.warm_up()

    @property
    def ready(self) -> bool:
        return bool(self.passages) and self.dense.size == len(self.passages) == self.dense_en.size
