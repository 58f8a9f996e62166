"""A disk cache of passage embeddings keyed by embedder and text, so rebuilds re-embed only what changed.

Embedding the handbooks is the slow part of a build (minutes on two cores); a glossary edit or a
one-paragraph fix to a handbook should not pay for it again.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as saved:
            return dict(zip(saved["keys"].tolist(), saved["vectors"].astype(np.float32), strict=True))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache is only a slower build


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """``vectors(texts, embed)`` returns cached rows and embeds only the missing texts."""

    def __init__(self, folder: Path, embedder_id: str, seed: Path | None = None) -> None:
        self.name = f"{re.sub(r'[^A-Za-z0-9._-]+', '_', embedder_id)[:80]}-{_key(embedder_id)[:8]}.npz"
        self.path = Path(folder) / self.name
        self._rows: dict[str, np.ndarray] = {}
        # read-only seed (shipped with the knowledge) first, then this machine's own cache
        for source in ([Path(seed) / self.name] if seed else []) + [self.path]:
            self._rows.update(_read(source))

    def vectors(
        self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray], batch: int, progress=None
    ) -> np.ndarray:
        keys = [_key(text) for text in texts]
        missing: list[int] = []  # the first position of each text not cached yet
        pending: set[str] = set()
        for i, key in enumerate(keys):
            if key not in self._rows and key not in pending:
                pending.add(key)
                missing.append(i)
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
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self._rows[key] for key in keys]).astype(np.float32)

    def export(self, keep: Sequence[str], folder: Path) -> Path:
        """Write the rows of ``keep`` as a seed (float16, the name this embedder looks for) into
        ``folder``: shipped with the knowledge, it spares a fresh checkout the embedding."""
        keys = [_key(text) for text in keep]
        path = Path(folder) / self.name
        path.parent.mkdir(parents=True, exist_ok=True)
        vectors = (
            np.vstack([self._rows[k] for k in keys]).astype(np.float16)
            if keys
            else np.zeros((0, 0), np.float16)
        )
        tmp = _temporary(path)
        np.savez_compressed(tmp, keys=np.array(keys), vectors=vectors)
        tmp.replace(path)
        return path

    def save(self, keep: Sequence[str]) -> None:
        """Write the cache, keeping only the rows of the given texts (the current corpus)."""
        keys = [_key(text) for text in keep]
        if not keys:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(self.path)
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._rows[k] for k in keys]))
        tmp.replace(self.path)


def _temporary(path: Path) -> Path:
    """A file beside ``path`` to write first and rename: one per process and thread, as several
    workers starting at once each save the same cache (a shared one vanishes under the slower)."""
    return path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.tmp.npz")


class InMemoryCache(EmbeddingCache):
    """The same interface with nothing on disk (no data directory given)."""

    def __init__(self) -> None:
        self.name = ""
        self.path = Path()
        self._rows = {}

    def save(self, keep: Sequence[str]) -> None:
        return None
