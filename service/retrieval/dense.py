"""Dense vector index: FAISS inner product over L2-normalised embeddings (= cosine similarity)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    """Exact search; the handbooks give a few hundred passages, so no approximation is needed."""

    def __init__(self) -> None:
        self._index: faiss.Index | None = None

    def build(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)

    def save(self, path: Path) -> None:
        assert self._index is not None, "build() first"
        faiss.write_index(self._index, str(path))

    def load(self, path: Path) -> None:
        self._index = faiss.read_index(str(path))

    @property
    def size(self) -> int:
        return 0 if self._index is None else self._index.ntotal

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to every passage, in passage order."""
        assert self._index is not None, "build() or load() first"
        query = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        similarities, ids = self._index.search(query, self.size)
        out = np.empty(self.size, dtype=np.float32)
        out[ids[0]] = similarities[0]
        return out
