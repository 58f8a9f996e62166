"""Measure the rehearsal client: does it answer the question that was asked?

A probe (one JSON object per line) opens a rehearsal of ``scenario`` in ``lang``, sends every
``prefix`` line, then ``question``, and reads the client's answer to the question. ``expect`` is
``fact:ID``, ``problem:ID``, ``implication:ID``, ``need:ID`` or ``none``. A unit counts as revealed
when one of its variants (zh or en) occurs in the client's line after the evaluation's
normalisation, or when the reply lists it in ``revealed``. A probe is correct when exactly the
expected unit is revealed (``none``: nothing is, and the client still says something).

The conversation state is round-tripped through ``to_dict``/``from_dict`` between turns, as the
sessions store does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..playbooks.scenarios import Scenario
from ..text import match_key
from .conversation import Conversation
from .rehearsal import RehearsalEngine

KINDS = ("fact", "problem", "implication", "need", "none")


@dataclass(frozen=True)
class ProbeOutcome:
    id: str
    scenario: str
    lang: str
    question: str
    expect: str
    revealed: tuple[str, ...]  # every unit the answer revealed, as "kind:id"
    client: str

    @property
    def kind(self) -> str:
        return self.expect.split(":", 1)[0]

    @property
    def correct(self) -> bool:
        if not self.client.strip():
            return False
        if self.expect == "none":
            return not self.revealed
        return self.revealed == (self.expect,)


@dataclass
class ClientReport:
    path: str
    outcomes: list[ProbeOutcome] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Accuracy overall, per language, per kind and per kind × language."""

        def accuracy(rows: list[ProbeOutcome]) -> dict[str, Any]:
            return {"n": len(rows), "accuracy": round(sum(o.correct for o in rows) / len(rows), 3)}

        groups: dict[str, list[ProbeOutcome]] = defaultdict(list)
        for outcome in self.outcomes:
            for key in ("all", outcome.lang, outcome.kind, f"{outcome.kind}/{outcome.lang}"):
                groups[key].append(outcome)
        order = ["all", "zh", "en", *[k for kind in KINDS for k in (kind, f"{kind}/zh", f"{kind}/en")]]
        return {key: accuracy(groups[key]) for key in order if groups.get(key)}

    def errors(self) -> list[ProbeOutcome]:
        return [o for o in self.outcomes if not o.correct]


def unit_variants(scenario: Scenario) -> dict[str, list[str]]:
    """Every revealable unit of a scenario ("kind:id") with its normalised variants (both languages)."""
    units: dict[str, list[str]] = {}
    for fact in scenario.facts:
        units[f"fact:{fact.id}"] = [match_key(t) for _, t in fact.reveal.items()]
    for problem in scenario.problems:
        for kind, texts in (
            ("problem", problem.reveal),
            ("implication", problem.implication),
            ("need", problem.need),
        ):
            units[f"{kind}:{problem.id}"] = [match_key(t) for _, t in texts.items()]
    return units


def revealed_units(reply: dict[str, Any], variants: dict[str, list[str]]) -> tuple[str, ...]:
    """The units a reply revealed: by its text and by its ``revealed`` list."""
    said = match_key(reply.get("client") or "")
    found = {unit for unit, texts in variants.items() if any(t and t in said for t in texts)}
    found |= {f"{item['kind']}:{item['id']}" for item in reply.get("revealed") or []}
    return tuple(sorted(found))


def load_probes(path: Path) -> list[dict[str, Any]]:
    probes = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            probe = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{path}:{number}: not JSON ({error.msg})") from error
        missing = [key for key in ("scenario", "lang", "question", "expect") if key not in probe]
        if missing:
            raise InvalidInput(f"{path}:{number}: missing {', '.join(missing)}")
        probe.setdefault("id", f"{Path(path).stem}:{number}")
        probes.append(probe)
    return probes


def run_probe(engine: RehearsalEngine, probe: dict[str, Any], difficulty: str | None = None) -> ProbeOutcome:
    """Play one probe through the engine, the state round-tripped between turns."""
    options = {"difficulty": difficulty} if difficulty else {}
    conversation, _ = engine.start(probe["scenario"], probe["lang"], seed=1, **options)
    reply: dict[str, Any] = {}
    for text in [*probe.get("prefix", []), probe["question"]]:
        conversation = Conversation.from_dict(conversation.to_dict())
        reply = engine.reply(conversation, text).to_dict()
    variants = unit_variants(engine.scenario(probe["scenario"]))
    return ProbeOutcome(
        id=str(probe["id"]), scenario=probe["scenario"], lang=probe["lang"], question=probe["question"],
        expect=probe["expect"], revealed=revealed_units(reply, variants), client=reply.get("client") or "",
    )  # fmt: skip


def evaluate_client(engine: RehearsalEngine, path: Path, difficulty: str | None = None) -> ClientReport:
    report = ClientReport(path=str(path))
    for probe in load_probes(path):
        report.outcomes.append(run_probe(engine, probe, difficulty))
    return report


def format_client_report(report: ClientReport, show_errors: bool = True) -> str:
    lines = [f"client probes: {report.path}"]
    for key, value in report.summary().items():
        lines.append(f"  {key:<18} {value['accuracy']:.3f}  (n={value['n']})")
    if show_errors and report.errors():
        lines.append("errors:")
        for o in report.errors():
            got = ", ".join(o.revealed) or "nothing"
            lines.append(f"  [{o.id}] {o.scenario}/{o.lang} expect {o.expect}, got {got}: {o.question}")
            lines.append(f"      client: {o.client}")
    return "\n".join(lines)
