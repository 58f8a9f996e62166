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

MANIFEST = "manifest.json"
PASSAGES = "passages.json"
VECTORS = "vectors.faiss"
BM25_DIR = "bm25"
EMBED_BATCH = 16
CACHE_DIR = "embedding-cache"

Progress = Callable[[int, int], None]


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

    def __init__(self, index_dir: Path, knowledge_dir: Path, embedder: Embedder) -> None:
        self.index_dir = Path(index_dir)
        self.knowledge_dir = Path(knowledge_dir)
        self.embedder = embedder
        self.glossary = self._load_glossary()
        self.segmenter = Segmenter(self.glossary.chinese_words())
        self.passages: list[Passage] = []
        self.dense = DenseIndex()
        self.keyword = KeywordIndex(self.segmenter)
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
            chunker_version=f"{CHUNKER_VERSION}/{MAX_CHARS}/{TAGGER_VERSION}",
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
        texts = [passage.embedding_text for passage in passages]
        cache = EmbeddingCache(self.index_dir.parent / CACHE_DIR, self.embedder.id)
        self.dense.build(cache.vectors(texts, self.embedder.embed_passages, EMBED_BATCH, progress))
        cache.save(texts)
        self.keyword.build(texts)
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

    def _save(self) -> None:
        assert self.manifest is not None
        staging = self.index_dir.with_name(self.index_dir.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        payload = [passage.to_dict() for passage in self.passages]
        (staging / PASSAGES).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        self.dense.save(staging / VECTORS)
        self.keyword.save(staging / BM25_DIR)
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
        return bool(self.passages) and self.dense.size == len(self.passages)
