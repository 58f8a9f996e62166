"""Measure the utterance analyser on a labelled JSONL set.

One JSON object per line: ``{"framework": "spin"|"lscpa"|"moves", "text": ..., "label": ...}`` or
``{"framework": "fabe", "text": ..., "labels": [...]}``. Reports SPIN/LSCPA/moves accuracy and
FABE micro-F1, overall and per language, with confusion matrices.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput
from ..text import Language, detect_language
from .analyser import UtteranceAnalyser


@dataclass(frozen=True)
class Outcome:
    """One evaluated line."""

    framework: str
    text: str
    language: Language
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    unsure: bool

    @property
    def correct(self) -> bool:
        """Exact match (for FABE: the whole label set)."""
        return set(self.gold) == set(self.predicted)


@dataclass
class UtteranceReport:
    """All outcomes of one run, with the metrics derived from them."""

    path: str
    outcomes: list[Outcome] = field(default_factory=list)
    multi_label: frozenset[str] = frozenset()  # frameworks scored by micro-F1 rather than accuracy

    def of(self, framework: str, language: Language | None = None) -> list[Outcome]:
        """Outcomes of one framework, optionally one language."""
        return [
            o
            for o in self.outcomes
            if o.framework == framework and (language is None or o.language == language)
        ]

    def summary(self) -> dict[str, dict]:
        """Metrics per framework: ``accuracy`` (spin, lscpa, moves) or ``micro_f1`` (fabe), with
        ``n``, ``by_language`` and the confusion (``confusion[gold][predicted]`` or fabe per-label
        ``tp``/``fp``/``fn``)."""
        out: dict[str, dict] = {}
        for framework in dict.fromkeys(o.framework for o in self.outcomes):
            rows = self.of(framework)
            multi = framework in self.multi_label
            metric = "micro_f1" if multi else "accuracy"
            out[framework] = {
                "n": len(rows),
                metric: _metric(multi, rows),
                "by_language": {
                    lang: {"n": len(sub), metric: _metric(multi, sub)}
                    for lang in ("zh", "en")
                    if (sub := self.of(framework, lang))  # type: ignore[arg-type]
                },
                "confusion": _label_counts(rows) if multi else _confusion(rows),
                "unsure_rate": round(sum(o.unsure for o in rows) / len(rows), 4),
            }
        return out

    def errors(self) -> list[Outcome]:
        """Every wrongly classified line."""
        return [o for o in self.outcomes if not o.correct]


def _metric(multi_label: bool, rows: list[Outcome]) -> float:
    if multi_label:
        counts = _label_counts(rows)
        tp = sum(c["tp"] for c in counts.values())
        fp = sum(c["fp"] for c in counts.values())
        fn = sum(c["fn"] for c in counts.values())
        return round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 0.0
    return round(sum(o.correct for o in rows) / len(rows), 4)


def _confusion(rows: list[Outcome]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for o in rows:
        table[o.gold[0]][o.predicted[0]] += 1
    return {gold: dict(counts) for gold, counts in sorted(table.items())}


def _label_counts(rows: list[Outcome]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for o in rows:
        gold, predicted = set(o.gold), set(o.predicted)
        for label in gold & predicted:
            counts[label]["tp"] += 1
        for label in predicted - gold:
            counts[label]["fp"] += 1
        for label in gold - predicted:
            counts[label]["fn"] += 1
    return dict(sorted(counts.items()))


def read_utterances(path: Path, frameworks: list[str]) -> list[dict]:
    """Parse and check the JSONL file; a bad line raises ``InvalidInput`` naming its number."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not JSON ({exc.msg})") from exc
        framework = row.get("framework") if isinstance(row, dict) else None
        gold = row.get("labels") or [row.get("label")] if isinstance(row, dict) else None
        if framework not in frameworks or not row.get("text") or not gold or not all(gold):
            raise InvalidInput(f"{path}:{number}: needs framework, text and label(s)")
        rows.append({"framework": framework, "text": row["text"], "gold": tuple(gold)})
    return rows


def evaluate_utterances(analyser: UtteranceAnalyser, path: Path) -> UtteranceReport:
    """Classify every line of ``path`` with its framework and collect the outcomes."""
    multi = frozenset(name for name, scorer in analyser.scorers.items() if scorer.multi_label)
    report = UtteranceReport(path=str(path), multi_label=multi)
    for row in read_utterances(path, list(analyser.scorers)):
        result = analyser.classify(row["text"], row["framework"])
        report.outcomes.append(
            Outcome(
                framework=row["framework"],
                text=row["text"],
                language=detect_language(row["text"]),
                gold=row["gold"],
                predicted=tuple(result.labels),
                unsure=result.unsure,
            )
        )
    return report


def format_report(report: UtteranceReport, show_errors: bool = True) -> str:
    """A readable text table of the summary, confusions and (optionally) the misclassified lines."""
    summary = report.summary()
    lines = [f"Utterance evaluation: {report.path}", "", f"{'framework':<10} {'metric':<9} {'all':>7} "
             f"{'zh':>7} {'en':>7} {'n':>5} {'unsure':>7}"]  # fmt: skip
    for framework, stats in summary.items():
        metric = "micro_f1" if framework in report.multi_label else "accuracy"
        by_lang = stats["by_language"]
        cells = [
            f"{by_lang[lang][metric]:>7.3f}" if lang in by_lang else f"{'-':>7}" for lang in ("zh", "en")
        ]
        lines.append(
            f"{framework:<10} {metric:<9} {stats[metric]:>7.3f} {' '.join(cells)} {stats['n']:>5} "
            f"{stats['unsure_rate']:>7.2f}"
        )
    for framework, stats in summary.items():
        lines += [
            "",
            f"{framework} confusion"
            + (" (tp/fp/fn)" if framework in report.multi_label else " (gold → predicted)"),
        ]
        for gold, row in stats["confusion"].items():
            counts = ", ".join(f"{key}={value}" for key, value in row.items())
            lines.append(f"  {gold:<20} {counts}")
    if show_errors and report.errors():
        lines += ["", "errors"]
        for o in report.errors():
            lines.append(f"  [{o.framework}] {'/'.join(o.gold)} → {'/'.join(o.predicted)}: {o.text}")
    return "\n".join(lines)
