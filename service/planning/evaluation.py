"""``salescoach eval plans DIR``: generate each plan's scenario and run the client evaluation on
the probes (``plans.jsonl`` + ``probes.jsonl``: a probe names its ``plan`` instead of a scenario),
and measure how often the analyser classifies a plan's SPIN questions as the kind listed."""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..container import Services
from ..dialogue.client_evaluation import ClientReport, evaluate_client
from ..errors import InvalidInput
from .plan import parse_plan
from .scenario_builder import build_scenario


@dataclass
class PlanReport:
    client: ClientReport
    # per language: "template" = every templated question, "suggested" = those the plan lists
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)


def _key(plan_id: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", plan_id.lower()).strip("_")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise InvalidInput(f"{path}:{number}: not JSON ({error.msg})") from error
    return rows


def evaluate_plans(services: Services, folder: Path) -> PlanReport:
    plans = {row["id"]: row for row in _jsonl(folder / "plans.jsonl")}
    engine = services.rehearsal
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"template": [0, 0], "suggested": [0, 0]})
    for plan_id, row in plans.items():
        plan = parse_plan({k: v for k, v in row.items() if k != "id"})
        engine.remember(build_scenario(plan, _key(plan_id), services.planning))
        filled, _ = services.planner.make(plan)  # as the service makes it
        checks = services.planner.check(
            [q for per in services.planner.candidate_questions(plan) for q in per]
        )
        tally = totals[plan.lang]
        tally["template"][0] += sum(c.agrees for c in checks)
        tally["template"][1] += len(checks)
        labels = {c.text: c.label for c in checks}
        for item in filled["difficulties"]:
            for kind, questions in item["questions"].items():
                tally["suggested"][0] += sum(labels.get(q) == kind for q in questions)
                tally["suggested"][1] += len(questions)
    probes = []
    for probe in _jsonl(folder / "probes.jsonl"):
        if probe.get("plan") not in plans:
            raise InvalidInput(f"probe {probe.get('id')}: unknown plan {probe.get('plan')!r}")
        probes.append({**probe, "scenario": f"plan_{_key(probe['plan'])}"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probes.jsonl"
        path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in probes), encoding="utf-8")
        client = evaluate_client(engine, path)
    client.path = str(folder / "probes.jsonl")
    questions = {
        lang: {
            name: {"agree": a, "n": n, "rate": round(a / n, 3) if n else 0.0} for name, (a, n) in t.items()
        }
        for lang, t in sorted(totals.items())
    }
    return PlanReport(client=client, questions=questions)
