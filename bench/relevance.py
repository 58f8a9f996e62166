"""How well the answer's relevance floor separates on-topic from off-topic questions.

``python -m bench.relevance`` prints, per language, the share of on-topic questions (dev + check
sets) the floor admits and the share of off-topic ones (``data/offtopic.jsonl``) it admits.
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
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def main() -> None:
    services = build_services(Settings())
    groups = {
        "on_topic": _queries("retrieval_dev.jsonl", "retrieval_check.jsonl"),
        "off_topic": _queries("offtopic.jsonl"),
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
