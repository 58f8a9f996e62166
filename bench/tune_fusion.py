"""Grid over the fusion weights per language, on the dev set and the independent check set.

``python -m bench.tune_fusion`` prints recall@5 / MRR@10 for each weighting. Used to choose
``service.retrieval.searcher.WEIGHTS``; prefer weights that do well on *both* sets.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from service.container import build_services
from service.retrieval.evaluation import MRR_DEPTH, is_hit
from service.retrieval.fusion import fuse
from service.settings import Settings
from service.text import detect_language

DATA = Path(__file__).parent / "data"
SETS = ("retrieval_dev.jsonl", "retrieval_check.jsonl")


def collect(services, path: Path) -> list[tuple[str, dict[str, np.ndarray], np.ndarray]]:
    """Per question: its language, every retriever's raw scores, and which passages are hits."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        signals = services.search.signals(item["query"], detect_language(item["query"]))[0]
        hits = np.array([is_hit(p, item["gold_any"]) for p in services.index.passages])
        rows.append((detect_language(item["query"]), signals, hits))
    return rows


def score(rows, language: str, weights: dict[str, float]) -> tuple[float, float]:
    recall, rr = [], []
    for lang, signals, hits in rows:
        if lang != language:
            continue
        order = np.argsort(-fuse(signals, weights), kind="stable")[:MRR_DEPTH]
        rank = next((n for n, i in enumerate(order, 1) if hits[i]), None)
        recall.append(rank is not None and rank <= 5)
        rr.append(1 / rank if rank else 0.0)
    return float(np.mean(recall)), float(np.mean(rr))


def main() -> None:
    services = build_services(Settings())
    data = {name: collect(services, DATA / name) for name in SETS}
    steps = [x / 10 for x in range(0, 11)]
    grids = {
        "zh": [{"dense": a, "keyword": 1 - a} for a in steps],
        "en": [
            {"dense": a, "dense_expanded": b, "keyword": round(1 - a - b, 2)}
            for a, b in itertools.product(steps, steps)
            if a + b <= 1
        ],
    }
    for language, grid in grids.items():
        for weights in grid:
            cells = [score(data[name], language, weights) for name in SETS]
            text = "  ".join(
                f"{name[10:15]} R@5 {r:.3f} MRR {m:.3f}" for name, (r, m) in zip(SETS, cells, strict=True)
            )
            print(language, json.dumps(weights), text)


if __name__ == "__main__":
    main()
