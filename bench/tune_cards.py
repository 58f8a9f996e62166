"""Fit when a coaching card answers a question (``service.retrieval.cards``), on tuning questions.

``bench/tune/card_questions.jsonl`` holds our own paraphrases of what each card covers (and
questions no card answers), written independently of the cards' example questions and of every
evaluation set. For each setting of the grid this prints how often the right card (or no card)
comes out, overall and per language.

    python -m bench.tune_cards
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

from service.container import build_services
from service.settings import Settings

TUNE = Path(__file__).parent / "tune" / "card_questions.jsonl"
GRID = {
    "floor": [0.90, 0.905, 0.91, 0.915, 0.92, 0.93],
    "grounded_floor": [0.88, 0.885, 0.89, 0.895, 0.90],
    "grounded_rank": [1, 2, 3],
    "margin": [0.0, 0.005, 0.01, 0.02],
}


def main() -> None:
    services = build_services(Settings())
    cards = services.answerer.cards
    assert cards is not None
    rows = []
    for line in TUNE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        result = services.search.search(item["query"], 8)
        rows.append((item, result))
    base = cards.rule
    outcomes = []
    for values in itertools.product(*GRID.values()):
        rule = replace(base, **dict(zip(GRID, values, strict=True)))
        right = {"zh": 0, "en": 0}
        for item, result in rows:
            match = cards.match(item["query"], result.query_vector, [h.passage for h in result.hits], rule)
            right[item["lang"]] += (match.card.id if match else None) == item["card"]
        total = {lang: sum(1 for item, _ in rows if item["lang"] == lang) for lang in right}
        outcomes.append((sum(right.values()) / len(rows), {k: right[k] / total[k] for k in right}, rule))
    outcomes.sort(key=lambda o: -o[0])
    print(f"{len(rows)} questions; current rule {base}")
    for accuracy, per_language, rule in outcomes[:12]:
        print(f"  {accuracy:.3f}  zh {per_language['zh']:.3f} en {per_language['en']:.3f}  {rule}")


if __name__ == "__main__":
    main()
