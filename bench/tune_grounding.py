"""Fit the rehearsal's grounding settings (``grounding:`` in playbooks/rehearsal.yaml) on tuning probes.

Each probe of ``bench/tune/client_tune.jsonl`` (our own, written independently of the evaluation
sets) is played through the real engine up to its question; the question's grounding features are
kept, and every combination of the grid is scored by how often the decision is right: the expected
fact or difficulty (for consequence and need questions: their difficulty, or a generic follow-up),
and for an off-script question no unit at all. Prints the best settings and how flat the optimum is.
Report the result on other probes (`salescoach eval client`), never on these.

With ``--plans FOLDER`` (``plans.jsonl`` + ``probes.jsonl``, default ``bench/tune/plan_tune``) it fits
``grounding_generated:`` instead, on scenarios generated from visit plans; report on other plans
(`salescoach eval plans`).

    python -m bench.tune_grounding [PROBES.jsonl]
    python -m bench.tune_grounding --plans [FOLDER]
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from service.container import build_services
from service.dialogue.client_evaluation import load_probes
from service.dialogue.conversation import Conversation
from service.dialogue.grounding import Features
from service.planning.evaluation import _jsonl, _key
from service.planning.plan import parse_plan
from service.planning.scenario_builder import build_scenario
from service.settings import Settings

DEFAULT = Path(__file__).parent / "tune" / "client_tune.jsonl"
DEFAULT_PLANS = Path(__file__).parent / "tune" / "plan_tune"
GRID = {
    "answer_weight": [0.0],
    "words_weight": [0.05, 0.1],
    "novel_penalty": [0.1, 0.2, 0.3, 0.5],
    "generic_margin": [0.02],
    "aside_margin": [0.03],
    "off_script_margin": [-0.04, -0.02, 0.0, 0.02],
}
FLOORS = [round(0.80 + 0.01 * i, 2) for i in range(0, 21)]  # per language: English similarities run lower
# generated scenarios: how much their own lines' relevance counts (answer_weight) and the decision
# settings; the other weights are shared with the hand-written ones
GENERATED_GRID = {
    "answer_weight": [0.0, 0.3, 0.5, 0.8],
    "novel_penalty": [0.0, 0.05],
    "off_script_margin": [0.0, 0.01, 0.02],
    "generic_margin": [0.02],
}
GENERATED_FLOORS = [round(0.80 + 0.01 * i, 2) for i in range(0, 71)]  # relevance adds up to 0.8 × ~0.85


def collect(path: Path, services=None, probes=None):
    services = services or build_services(Settings())
    engine = services.rehearsal
    rows = []
    for probe in probes if probes is not None else load_probes(path):
        conversation, _ = engine.start(probe["scenario"], probe["lang"], seed=1)
        for line in probe.get("prefix", []):
            conversation = Conversation.from_dict(conversation.to_dict())
            engine.reply(conversation, line)
        scenario = engine.scenario(probe["scenario"])
        vector = engine.analyser.embed(probe["question"])
        features = engine.grounder.features(scenario, vector, probe["question"])
        rows.append((probe, scenario, features))
    return engine, rows


def correct(probe: dict, grounding) -> bool:
    kind, _, unit_id = probe["expect"].partition(":")
    if kind == "none":
        return grounding.unit is None and grounding.generic not in ("situation", "problem")
    target = f"{'fact' if kind == 'fact' else 'problem'}:{unit_id}"
    if grounding.unit is not None:
        return f"{grounding.kind}:{grounding.unit.id}" == target
    return kind in ("implication", "need") and grounding.colleague is None and not grounding.withheld


def rescored(features: Features, weights: dict[str, float], keyword: dict[str, float]) -> Features:
    scores = {
        key: weights["ask_weight"] * features.ask[key]
        + weights["answer_weight"] * features.answer[key]
        + weights["words_weight"] * features.words[key]
        + keyword[key]
        for key in features.ask
    }
    return replace(features, scores=scores)


def residuals(rows, base) -> list[dict[str, float]]:
    """Per probe, the part of each saved score that the grid leaves alone (keyword bonus, read-out),
    kept while the weights of the rest change."""
    return [
        {
            key: f.scores[key]
            - base.ask_weight * f.ask[key]
            - base.answer_weight * f.answer[key]
            - base.words_weight * f.words[key]
            for key in f.ask
        }
        for _, _, f in rows
    ]


def main(path: Path) -> None:
    engine, rows = collect(path)
    grounder = engine.grounder
    base = grounder.settings
    keywords = residuals(rows, base)
    results = []
    names = list(GRID)
    for values in itertools.product(*GRID.values()):
        chosen = {**dict(zip(names, values, strict=True)), "ask_weight": 1.0}
        scored = [
            (probe, scenario, rescored(f, chosen, kw))
            for (probe, scenario, f), kw in zip(rows, keywords, strict=True)
        ]
        results.append(_with_best_floors(grounder, "settings", base, chosen, scored))
    grounder.settings = base
    _report(results, rows, grounder, f"{len(rows)} probes from {path}")


def _with_best_floors(
    grounder, attribute: str, base, chosen: dict, rows, grid: list[float] = FLOORS
) -> tuple[float, dict]:
    """Accuracy of ``chosen`` (set on ``grounder.<attribute>``) with each language's best floor."""
    floors, right = {}, 0
    for language in ("zh", "en"):
        mine = [row for row in rows if row[0]["lang"] == language]
        best_floor, best_right = grid[0], -1
        for floor in grid:
            update = {**chosen, "unit_floor": base.unit_floor.model_copy(update={language: floor})}
            setattr(grounder, attribute, base.model_copy(update=update))
            hits = sum(correct(probe, grounder.decide(scenario, f)) for probe, scenario, f in mine)
            if hits > best_right:
                best_floor, best_right = floor, hits
        floors[language] = best_floor
        right += best_right
    return right / len(rows), {**chosen, "unit_floor": floors}


def _report(results: list[tuple[float, dict]], rows, grounder, what: str) -> None:
    results.sort(key=lambda item: -item[0])
    now = sum(correct(p, grounder.decide(s, f)) for p, s, f in rows) / len(rows)
    print(f"{what}; current settings score {now:.3f}")
    for accuracy, chosen in results[:15]:
        print(f"  {accuracy:.3f}  {chosen}")
    best = results[0][0]
    print(
        f"settings within 0.01 of the best: {sum(1 for a, _ in results if a >= best - 0.01)} of {len(results)}"
    )


def collect_plans(folder: Path):
    """The probes of ``folder`` on the scenarios of its plans, as ``salescoach eval plans`` plays them."""
    services = build_services(Settings())
    plans = {row["id"]: row for row in _jsonl(folder / "plans.jsonl")}
    for plan_id, row in plans.items():
        plan = parse_plan({k: v for k, v in row.items() if k != "id"})
        services.rehearsal.remember(build_scenario(plan, _key(plan_id), services.planning))
    probes = [{**p, "scenario": f"plan_{_key(p['plan'])}"} for p in _jsonl(folder / "probes.jsonl")]
    return collect(folder, services, probes)


def main_plans(folder: Path) -> None:
    engine, rows = collect_plans(folder)
    grounder = engine.grounder
    base = grounder.generated
    if not base.answer_weight:  # the relevance of the units' own lines is computed only when it counts
        sys.exit("set grounding_generated.answer_weight above 0 in rehearsal.yaml to tune it")
    rest = residuals(rows, base)
    names = list(GENERATED_GRID)
    results = []
    for values in itertools.product(*GENERATED_GRID.values()):
        chosen = dict(zip(names, values, strict=True))
        weights = {"ask_weight": base.ask_weight, "answer_weight": chosen["answer_weight"],
                   "words_weight": base.words_weight}  # fmt: skip
        scored = [(p, s, rescored(f, weights, r)) for (p, s, f), r in zip(rows, rest, strict=True)]
        results.append(_with_best_floors(grounder, "generated", base, chosen, scored, GENERATED_FLOORS))
    grounder.generated = base
    _report(results, rows, grounder, f"{len(rows)} probes on the plans of {folder}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--plans"]:
        main_plans(Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PLANS)
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
