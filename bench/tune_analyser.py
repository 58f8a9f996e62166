"""Choose the analyser's settings by k-fold cross-validation over each framework's ``examples``.

The parts' exemplars are always in training; the framework's labelled ``examples`` are split into
folds, each fold scored by a scorer trained on the exemplars and the other folds. Prints accuracy
(single-label) or micro-F1 (multi-label) per setting, so a choice sits on a plateau rather than a
peak. No evaluation file is read.

    python -m bench.tune_analyser [spin|lscpa|fabe ...]
"""

from __future__ import annotations

import copy
import itertools
import sys

import numpy as np

from service.dialogue.analyser import FrameworkScorer, UtteranceAnalyser
from service.playbooks.frameworks import Framework, load_frameworks
from service.retrieval.embedders import make_embedder
from service.settings import Settings
from service.text import detect_language

FOLDS = 5
GRIDS: dict[str, dict[str, list[float]]] = {
    "spin": {"linear_weight": [0.0, 5.0, 10.0, 20.0], "ridge": [0.1, 0.3, 1.0]},
    "lscpa": {"linear_weight": [0.0, 5.0, 10.0], "ridge": [0.3, 1.0]},
    "fabe": {"ridge": [0.3, 1.0, 3.0], "threshold": [0.3, 0.4, 0.5], "cue_feature_weight": [0.0, 0.1]},
}


def _scorer(framework: Framework, examples: list, settings: dict[str, float], embed) -> FrameworkScorer:
    update = dict(settings)
    if "threshold" in update:
        cut = update.pop("threshold")
        update["thresholds"] = {label: cut for label in framework.labels}
    playbook = framework.model_copy(
        update={"examples": examples, "analyser": framework.analyser.model_copy(update=update)}
    )
    scorer = FrameworkScorer(playbook)
    scorer.fit(embed(scorer.texts))
    return scorer


def cross_validate(
    analyser: UtteranceAnalyser, framework: Framework, settings: dict[str, float], embed
) -> float:
    examples = list(framework.examples)
    order = np.random.RandomState(0).permutation(len(examples))
    right = total = tp = fp = fn = 0
    for fold in range(FOLDS):
        held = {int(i) for i in order[fold::FOLDS]}
        scorer = _scorer(framework, [e for i, e in enumerate(examples) if i not in held], settings, embed)
        tests = [examples[i] for i in sorted(held)]
        vectors = embed([e.text for e in tests])
        for example, vector in zip(tests, vectors, strict=True):
            language = detect_language(example.text)
            verdict = scorer.score(
                vector, example.text, language, analyser.questions.is_question(example.text, language)
            )
            gold, got = set(example.labels), set(verdict.labels)
            right += gold == got
            total += 1
            tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    return 2 * tp / (2 * tp + fp + fn) if framework.multi_label else right / total


def main(names: list[str]) -> None:
    settings = Settings()
    frameworks = load_frameworks(settings.playbooks_dir)
    embedder = make_embedder(settings.embedder, threads=settings.embedder_threads)
    analyser = UtteranceAnalyser(embedder, frameworks)
    analyser.warm_up()
    memo: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            memo.update(zip(chunk, embedder.embed_queries(chunk), strict=True))
        return np.vstack([memo[t] for t in texts])

    for name in names or list(GRIDS):
        framework = frameworks.framework(name)
        assert isinstance(framework, Framework)
        grid = GRIDS[name]
        metric = "micro-F1" if framework.multi_label else "accuracy"
        print(
            f"{name}: {len(framework.examples)} examples, {FOLDS}-fold {metric}; current {framework.analyser}"
        )
        for values in itertools.product(*grid.values()):
            chosen = dict(zip(grid, values, strict=True))
            print(f"  {chosen}: {cross_validate(analyser, copy.deepcopy(framework), chosen, embed):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
