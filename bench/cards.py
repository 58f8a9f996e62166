"""Which questions the coaching cards answer, with their match scores.

``python -m bench.cards`` lists, for the dev, check and off-topic questions, the best card and its
score; questions under ``CARD_FLOOR`` fall back to answers built from passages.
"""

from __future__ import annotations

import json
from pathlib import Path

from service.container import build_services
from service.retrieval.cards import CARD_RULE
from service.settings import Settings

DATA = Path(__file__).parent / "data"


def main() -> None:
    services = build_services(Settings())
    cards = services.answerer.cards
    assert cards is not None
    for name in ("retrieval_dev.jsonl", "retrieval_check.jsonl", "offtopic.jsonl"):
        matched = 0
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        for line in lines:
            query = json.loads(line)["query"]
            result = services.search.search(query, 8)
            match = cards.match(query, result.query_vector, [hit.passage for hit in result.hits])
            matched += match is not None
            label = f"{match.card.id} {match.score:.3f}" if match else "-"
            print(f"{name[:-6]:<16} {label:<32} {query}")
        print(f"== {name}: {matched}/{len(lines)} answered from a card ({CARD_RULE})\n")


if __name__ == "__main__":
    main()
