"""Relative score fusion: each retriever's scores are rescaled to 0..1 over its own top ``depth``
results, then combined with per-retriever weights.

Unlike reciprocal rank fusion this keeps *how much* better the best hit is than the rest, which
matters here: BM25 over jieba tokens is sharp for Chinese questions, while the 4-bit multilingual
embedder gives flat cosine scores (all ≈ 0.8) that still rank English questions across languages.
Measured on the dev and an independent check set with ``bench/tune_fusion.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

DEPTH = 50


def rescale(scores: np.ndarray, depth: int = DEPTH) -> np.ndarray:
    """Map the best score to 1 and the ``depth``-th best (and anything lower) to 0."""
    if scores.size == 0:
        return scores
    depth = min(depth, scores.size)
    floor = np.partition(scores, -depth)[-depth]
    top = float(scores.max())
    if top <= floor:
        return np.zeros_like(scores, dtype=np.float32)
    return np.clip((scores - floor) / (top - floor), 0.0, 1.0).astype(np.float32)


def fuse(signals: Mapping[str, np.ndarray], weights: Mapping[str, float], depth: int = DEPTH) -> np.ndarray:
    """Weighted sum of rescaled signals; every signal must have a weight (no silent defaults)."""
    total = None
    for name, scores in signals.items():
        if not weights[name]:
            continue
        part = weights[name] * rescale(scores, depth)
        total = part if total is None else total + part
    if total is None:
        raise ValueError("no signals to fuse")
    return total
