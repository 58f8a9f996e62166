"""Write ``retrieval_tune.jsonl``: the card tuning questions as retrieval questions, each with the
passages its card cites as the right answers (our own questions, never an evaluation line).

    python -m bench.tune.make_retrieval_tune
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).parent
CARDS = HERE.parent.parent / "playbooks" / "cards"


def main() -> None:
    anchors = {
        path.stem: [cite["anchor"] for cite in yaml.safe_load(path.read_text(encoding="utf-8"))["cites"]]
        for path in sorted(CARDS.glob("*.yaml"))
    }
    lines = []
    for line in (HERE / "card_questions.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("card"):
            lines.append(
                {
                    "id": item["id"],
                    "lang": item["lang"],
                    "query": item["query"],
                    "gold_any": anchors[item["card"]],
                }
            )
    (HERE / "retrieval_tune.jsonl").write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in lines), encoding="utf-8"
    )
    print(f"{len(lines)} questions")


if __name__ == "__main__":
    main()
