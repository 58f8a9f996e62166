"""A scenario's read-out: a softmax regression from a question's embedding to the unit it asks
about (or none), trained on the scenario's own texts — each unit's topic and ``asked_by`` examples,
and for "none" the colleagues' areas, the withheld topics and the off-script and generic questions.

Nearest-example similarity asks "which single example is closest"; the read-out learns which
directions of the embedding tell this scenario's units apart, which carries better to wording no
example used (English most). It is one signal of the grounding, added to a unit's score.
Training is a few hundred full-batch Adam steps in NumPy on a few hundred rows (tens of
milliseconds), so a stored or generated scenario gets its read-out on first use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

NONE = "none"
SCALE = 10.0  # centred e5 vectors are small: scaled so the steps below move the logits
STEPS = 300
RATE = 0.02
L2 = 0.001


class Readout:
    """``probabilities(vector) -> {owner: p}`` over the units' keys and ``NONE``."""

    def __init__(self, vectors: np.ndarray, owners: Sequence[str], units: set[str]) -> None:
        labels = [owner if owner in units else NONE for owner in owners]
        self.classes = sorted(set(labels))
        index = {name: i for i, name in enumerate(self.classes)}
        x = np.asarray(vectors, dtype=np.float64)
        self.mean = x.mean(axis=0)
        x = (x - self.mean) * SCALE
        targets = np.zeros((len(labels), len(self.classes)))
        targets[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
        self.weights, self.bias = _fit(x, targets)

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        logits = ((np.asarray(vector, dtype=np.float64) - self.mean) * SCALE) @ self.weights + self.bias
        p = _softmax(logits[None, :])[0]
        return dict(zip(self.classes, p.tolist(), strict=True))


def _fit(x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # small products: one BLAS thread is fastest, and several oversubscribe a busy machine (40×)
    with threadpool_limits(limits=1):
        return _descend(x, targets)


def _descend(x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, width = x.shape
    weights = np.zeros((width, targets.shape[1]))
    bias = np.zeros(targets.shape[1])
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    for step in range(1, STEPS + 1):
        error = _softmax(x @ weights + bias) - targets
        gradient = x.T @ error / rows + L2 * weights
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient * gradient
        weights -= RATE * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        bias -= 0.1 * error.mean(axis=0)
    return weights, bias


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
