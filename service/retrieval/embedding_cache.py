"""A disk cache of passage embeddings keyed by embedder and text, so rebuilds re-embed only what changed.

Embedding the handbooks is the slow part of a build (minutes on two cores); a glossary edit or a
one-paragraph fix to a handbook should not pay for it again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """``vectors(texts, embed)`` returns cached rows and embeds only the missing texts."""

    def __init__(self, folder: Path, embedder_id: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_id)[:80]
        self.path = Path(folder) / f"{safe}-{_key(embedder_id)[:8]}.npz"
        self._rows: dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path) as saved:
                    self._rows = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._rows = {}  # a damaged cache is only a slower build

    def vectors(
        self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray], batch: int, progress=None
    ) -> np.ndarray:
        keys = [_key(text) for text in texts]
        missing = [i for i, key in enumerate(keys) if key not in self._rows]
        done = len(texts) - len(missing)
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            for i, vector in zip(chunk, embed([texts[i] for i in chunk]), strict=True):
                self._rows[keys[i]] = vector
            done += len(chunk)
            if progress:
                progress(done, len(texts))
        if progress and not missing:
            progress(len(texts), len(texts))
        return np.vstack([self._rows[key] for key in keys]).astype(np.float32)

    def save(self, keep: Sequence[str]) -> None:
        """Write the cache, keeping only the rows of the given texts (the current corpus)."""
        keys = [_key(text) for text in keep]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.stem + ".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._rows[k] for k in keys]))
        tmp.replace(self.path)
