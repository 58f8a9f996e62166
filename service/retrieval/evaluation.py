"""Retrieval evaluation: recall@k and MRR@10 with the matching rule of the design notes.

A hit is a retrieved passage whose text (with its section path, which is embedded with it)
contains any gold anchor after NFKC normalisation and removal of whitespace and punctuation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..text import match_key
from .passage import Passage
from .searcher import HandbookSearch

MRR_DEPTH = 10


def is_hit(passage: Passage, anchors: list[str]) -> bool:
    haystack = match_key(passage.section + "\n" + passage.text)
    return any(key and key in haystack for key in map(match_key, anchors))


@dataclass
class RetrievalReport:
    k: int
    rows: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        groups: dict[str, list[dict]] = defaultdict(list)
        for row in self.rows:
            groups["all"].append(row)
            groups[row["lang"]].append(row)
        return {
            name: {
                "n": len(rows),
                f"recall@{self.k}": round(
                    sum(r["rank"] is not None and r["rank"] <= self.k for r in rows) / len(rows), 4
                ),
                "mrr@10": round(sum(1 / r["rank"] for r in rows if r["rank"]) / len(rows), 4),
            }
            for name, rows in groups.items()
        }


def evaluate_retrieval(search: HandbookSearch, path: Path, k: int = 5) -> RetrievalReport:
    """Run every question of a JSONL file (``query``, ``lang``, ``gold_any``) and score the ranks."""
    report = RetrievalReport(k=k)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        hits = search.search(item["query"], k=max(k, MRR_DEPTH)).hits
        rank = next((n for n, hit in enumerate(hits, 1) if is_hit(hit.passage, item["gold_any"])), None)
        report.rows.append(
            {"id": item.get("id"), "lang": item.get("lang", "?"), "query": item["query"], "rank": rank}
        )
    return report
