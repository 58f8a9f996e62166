"""Grid over the fusion weights per language, on the dev set, the first independent check set and
our own tuning questions (the card questions with their cards' passages, ``tune/retrieval_tune.jsonl``).

``python -m bench.tune_fusion`` prints the best weightings by recall@5 + MRR@10 averaged over both
sets, each with its neighbourhood's mean (a choice should sit on a plateau, not a spike). Used to
choose ``service.retrieval.searcher.WEIGHTS``. The second check set (``retrieval_check2.jsonl``) is
never read here: it reports how the chosen weights generalise.
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
SETS = (
    "data/retrieval_dev.jsonl",
    "data/retrieval_check.jsonl",
    "tune/retrieval_tune.jsonl",
    "tune/retrieval_tune2.jsonl",
)


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


SIGNALS = {
    "zh": ("dense", "keyword", "dense_en", "questions", "questions_keyword"),
    "en": ("dense", "dense_expanded", "keyword", "dense_en", "keyword_en", "questions", "questions_keyword"),
}
STEP = 0.1


def simplex(names: tuple[str, ...], step: float = STEP):
    """Every weighting of ``names`` in steps of ``step`` summing to one."""
    units = round(1 / step)
    for cut in itertools.combinations(range(units + len(names) - 1), len(names) - 1):
        parts = [b - a - 1 for a, b in zip((-1, *cut), (*cut, units + len(names) - 1), strict=True)]
        yield {name: round(part * step, 2) for name, part in zip(names, parts, strict=True)}


def main() -> None:
    services = build_services(Settings())
    data = {name: collect(services, DATA.parent / name) for name in SETS}
    for language, names in SIGNALS.items():
        table = {}
        for weights in simplex(names):
            cells = [score(data[name], language, weights) for name in SETS]
            table[tuple(weights.values())] = (sum(r + m for r, m in cells) / len(cells), cells)

        def neighbours(key, table=table):  # the weightings one step away
            return [
                other
                for other in table
                if sum(abs(a - b) for a, b in zip(key, other, strict=True)) <= 2 * STEP + 1e-9
            ]

        ranked = sorted(table, key=lambda key: -table[key][0])[:12]
        print(f"{language}: {len(table)} weightings; best by (R@5 + MRR) over {', '.join(SETS)}")
        for key in ranked:
            plateau = np.mean([table[n][0] for n in neighbours(key)])
            cells = "  ".join(f"R@5 {r:.3f} MRR {m:.3f}" for r, m in table[key][1])
            print(f"  {dict(zip(names, key, strict=True))}  {cells}  plateau {plateau:.3f}")


if __name__ == "__main__":
    main()
