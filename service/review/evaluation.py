"""``salescoach eval review DIR``: SPIN tags of the salesperson's turns, talk share and the
next-step flag against a folder of labelled transcripts (``labels.jsonl``: file, lang,
salesperson, spin per salesperson turn, talk_share, next_step_agreed)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from .metrics import SPIN_LABELS
from .reviewer import Reviewer

TALK_SHARE_TOLERANCE = 0.0005  # the labels carry three decimals


def evaluate(reviewer: Reviewer, folder: Path) -> dict[str, Any]:
    labels = folder / "labels.jsonl"
    if not labels.is_file():
        raise InvalidInput(f"{folder} has no labels.jsonl")
    by_lang: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    files, seconds = [], []
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        started = time.perf_counter()
        review = reviewer.review((folder / gold["file"]).read_bytes(), salesperson=gold["salesperson"])
        seconds.append(time.perf_counter() - started)
        tagged = [t.spin or "other" for t in review.turns if t.role == "salesperson"]
        if len(tagged) != len(gold["spin"]):
            raise InvalidInput(f"{gold['file']}: {len(tagged)} salesperson turns, {len(gold['spin'])} labels")
        counts = by_lang[gold["lang"]]
        errors = []
        for n, (got, want) in enumerate(zip(tagged, gold["spin"], strict=True)):
            counts["turns"] += 1
            counts["turns_right"] += got == want
            if want in SPIN_LABELS:
                counts["questions"] += 1
                counts["questions_right"] += got == want
            if got != want:
                errors.append({"turn": n, "got": got, "want": want})
        share_ok = abs(review.metrics["talk_share"] - gold["talk_share"]) <= TALK_SHARE_TOLERANCE
        step_ok = review.metrics["next_step_agreed"] == gold["next_step_agreed"]
        counts["files"] += 1
        counts["talk_share_exact"] += share_ok
        counts["next_step_exact"] += step_ok
        files.append({
            "file": gold["file"], "talk_share": review.metrics["talk_share"], "talk_share_gold": gold["talk_share"],
            "next_step_agreed": review.metrics["next_step_agreed"], "next_step_gold": gold["next_step_agreed"],
            "spin_errors": errors,
        })  # fmt: skip
    summary = {lang: _rates(c) for lang, c in sorted(by_lang.items())}
    total: dict[str, int] = defaultdict(int)
    for c in by_lang.values():
        for key, value in c.items():
            total[key] += value
    summary["all"] = _rates(total)
    summary["all"]["review_seconds_max"] = round(max(seconds), 3) if seconds else 0.0
    return {"summary": summary, "files": files}


def _rates(c: dict[str, int]) -> dict[str, Any]:
    share = lambda a, b: round(c[a] / c[b], 3) if c[b] else None  # noqa: E731
    return {
        "spin_accuracy_questions": share("questions_right", "questions"),
        "spin_accuracy_all_turns": share("turns_right", "turns"),
        "questions": c["questions"],
        "talk_share_exact": f"{c['talk_share_exact']}/{c['files']}",
        "next_step_exact": f"{c['next_step_exact']}/{c['files']}",
    }
