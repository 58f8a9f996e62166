"""How well the answer's relevance floor separates on-topic from off-topic questions.

``python -m bench.relevance`` prints, per language, how many on-topic questions the floor admits
and how many off-topic ones: on the questions it was calibrated on (dev, first check set, the card
tuning questions; ``data/offtopic.jsonl``) and, apart, on the held-out second check set
(``retrieval_check2.jsonl`` and ``offtopic_check2.jsonl``), which no setting was chosen on.
"""

from __future__ import annotations

import json
from pathlib import Path

from service.container import build_services
from service.settings import Settings

DATA = Path(__file__).parent / "data"


def _queries(*names: str) -> list[str]:
    return [
        json.loads(line)["query"]
        for name in names
        for line in (DATA.parent / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def main() -> None:
    services = build_services(Settings())
    groups = {
        "on_topic (calibration)": _queries(
            "data/retrieval_dev.jsonl", "data/retrieval_check.jsonl", "tune/card_questions.jsonl"
        ),
        "off_topic (calibration)": _queries("data/offtopic.jsonl"),
        "on_topic (held out)": _queries("data/retrieval_check2.jsonl"),
        "off_topic (held out)": _queries("data/offtopic_check2.jsonl"),
    }
    report: dict[str, dict[str, str]] = {}
    for group, queries in groups.items():
        counts: dict[str, list[int]] = {}
        for query in queries:
            result = services.search.search(query, k=8)
            admitted = bool(services.answerer.relevant(result))
            counts.setdefault(result.language, [0, 0])
            counts[result.language][0] += admitted
            counts[result.language][1] += 1
        report[group] = {lang: f"{a}/{n} admitted" for lang, (a, n) in counts.items()}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
