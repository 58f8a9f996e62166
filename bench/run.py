"""``make bench``: build and load times, search, classification and rehearsal-turn latency, memory.

Prints one JSON object. Targets on two cores: search p95 <= 50 ms (warm), index load well under
1 s, classification p95 <= 40 ms, rehearsal turn p95 <= 60 ms (engine); the same turns are also
timed through HTTP (uvicorn + SQLite store).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from service.container import build_index, build_services
from service.dialogue.conversation import Conversation
from service.retrieval.searcher import HandbookSearch
from service.settings import Settings

from .http_turns import http_turn_latencies
from .webhook_ack import webhook_ack_latencies

DATA = Path(__file__).parent / "data"
TUNE = Path(__file__).parent / "tune"
SCRIPTS = Path(__file__).parent.parent / "tests" / "dialogue" / "scripts"
ROUNDS = 5


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def bench_build(settings: Settings) -> dict[str, float]:
    """A build from nothing (no cache, no shipped embeddings), a first build on a fresh machine (from
    the embeddings shipped in knowledge/embeddings), a rebuild from this machine's cache, and a
    start-up of every service (index load, exemplars and scenario texts from the caches)."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = settings.model_copy(update={"data_dir": Path(tmp) / "nothing"})
        start = time.perf_counter()
        manifest = build_index(scratch, use_seed=False).build()
        out["from_nothing_s"] = round(time.perf_counter() - start, 2)
        fresh = settings.model_copy(update={"data_dir": Path(tmp) / "fresh"})
        start = time.perf_counter()
        build_index(fresh).build()
        out["fresh_machine_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        build_index(fresh).build()
        out["cached_rebuild_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        build_services(fresh)
        out["services_start_s"] = round(time.perf_counter() - start, 2)
    out["passages"] = manifest.passages
    return out


def bench_long_questions(search: HandbookSearch) -> dict[str, float]:
    """A 2000-character question against a short one, per language (the cost bound)."""
    cases = {
        "zh": ("怎么接近技术把关者？", ("我们公司做楼宇对讲，客户工程部的经理很难打交道，" * 60)[:1988] + "怎么接近技术把关者？"),
        "en": (
            "How do I approach a technical gatekeeper?",
            ("We sell building intercoms and the client's engineering head is tough to deal with. " * 30)[:1958]
            + " How do I approach a technical gatekeeper?",
        ),
    }  # fmt: skip
    out = {}
    for language, (short, long) in cases.items():
        short_ms = statistics.median(timed(search.search, short, 5) for _ in range(ROUNDS * 2))
        long_ms = statistics.median(timed(search.search, long, 5) for _ in range(ROUNDS * 2))
        out[language] = {
            "short_ms": round(short_ms, 1),
            "long_2000_ms": round(long_ms, 1),
            "ratio": round(long_ms / short_ms, 1),
        }
    return out


REVIEW_DATA = Path(__file__).parent.parent / "tests" / "review" / "data"
REVIEW_TURNS = 200


def review_transcript(name: str, turns: int = REVIEW_TURNS) -> str:
    """A visit of ``turns`` utterances: the lines of a test transcript, repeated, each repeat marked
    (no two lines alike: the reviewer embeds a repeated line once, a real visit rarely repeats)."""
    lines = [line for line in (REVIEW_DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return "\n".join(
        lines[i % len(lines)] + (f" ({i // len(lines)})" if i >= len(lines) else "") for i in range(turns)
    )


def bench_review(services) -> dict[str, object]:
    """A 200-turn transcript reviewed end to end (parse, one embedding batch, every turn tagged,
    metrics, scorecard), per language; target <= 2 s on two cores."""
    out: dict[str, object] = {}
    for language, name in (("zh", "zh_good.txt"), ("en", "en_good.txt")):
        text = review_transcript(name)
        services.reviewer.review(text)  # warm every code path once
        cpu = time.process_time()
        out[language] = _percentiles([timed(services.reviewer.review, text) for _ in range(ROUNDS)])
        # CPU seconds of all threads per review: on a machine shared with other work, wall time
        # says little; CPU time over the embedder's threads is the wall time of an idle machine
        out[f"{language}_cpu_s_per_review"] = round((time.process_time() - cpu) / ROUNDS, 2)
    return out


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def bench_plan_generation(services) -> dict[str, object]:
    """A visit plan from its input (SPIN questions checked by the analyser, FABE, LSCPA, role advice,
    citations, Markdown) and the scenario built from it; then a rehearsal's first question on that
    new scenario (its texts embedded on demand). Our own tuning plans, both languages."""
    from service.planning.plan import parse_plan
    from service.planning.render import render_markdown
    from service.planning.scenario_builder import build_scenario

    rows = [
        json.loads(line) for line in (TUNE / "plan_tune" / "plans.jsonl").read_text().splitlines() if line
    ]
    plans = [parse_plan({k: v for k, v in row.items() if k != "id"}) for row in rows]

    def generate(plan) -> None:  # type: ignore[no-untyped-def]
        filled, _ = services.planner.make(plan)
        render_markdown(filled, services.planning.plan)

    generate(plans[0])  # warm
    samples = [timed(generate, plan) for _ in range(ROUNDS) for plan in plans]
    first_turns = []
    for number, plan in enumerate(plans * ROUNDS):
        scenario = build_scenario(plan, f"bench{number}", services.planning)
        services.rehearsal.remember(scenario)
        conversation, _ = services.rehearsal.start(scenario.id, plan.lang, 1)
        question = "现在的情况大概是怎样的？" if plan.lang == "zh" else "How do things work today?"
        first_turns.append(timed(services.rehearsal.reply, conversation, question))
    return {"plan_generation": _percentiles(samples), "plan_first_rehearsal_turn": _percentiles(first_turns)}


def main() -> None:
    settings = Settings()
    if sys.argv[1:] == ["plan_generation"]:  # just this one (python -m bench.run plan_generation)
        print(json.dumps(bench_plan_generation(build_services(settings)), indent=2))
        return
    report: dict[str, object] = {"build": bench_build(settings)}
    rss_before = _rss_mib()
    index = build_index(settings)
    index.ensure()
    report["index_load_ms"] = round(timed(index.load), 1)
    report["model_warm_up_ms"] = round(timed(index.warm_up), 1)
    search = HandbookSearch(index, max_query_chars=Settings().max_query_chars)
    questions = [
        json.loads(line)["query"]
        for name in ("retrieval_dev.jsonl", "retrieval_check.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
    ]
    for question in questions:  # warm every code path once
        search.search(question, 5)
    samples = [timed(search.search, q, 5) for _ in range(ROUNDS) for q in questions]
    report["search_latency"] = _percentiles(samples)
    report["long_question_cost"] = bench_long_questions(search)
    report["rss_mib"] = {"before_load": rss_before, "after_load_and_searches": _rss_mib()}
    services = build_services(settings)
    utterances = [
        json.loads(line)["text"] for line in (DATA / "utterances_dev.jsonl").read_text().splitlines()
    ]
    report["classify_latency"] = _percentiles(
        [timed(services.analyser.analyse, text) for _ in range(ROUNDS) for text in utterances]
    )
    report["review_200_turns"] = bench_review(services)
    report["rehearsal_turn_latency"] = _percentiles(bench_turns(services))
    report["rehearsal_turn_latency_natural"] = _percentiles(bench_probe_turns(services))
    report["http_turn_latency"] = _percentiles(http_turn_latencies(settings, services))
    for name, samples in webhook_ack_latencies(settings, services).items():
        report[f"webhook_{name}_latency"] = _percentiles(samples)
    report.update(bench_plan_generation(services))
    report["rss_mib"]["after_all_services"] = _rss_mib()
    print(json.dumps(report, indent=2))


def bench_turns(services) -> list[float]:
    """Every turn of the scripted rehearsals, state round-tripped through a dict as a server would."""
    samples = []
    for path in sorted(SCRIPTS.glob("*.txt")):
        scenario, _, language, _ = path.name.split(".")
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for seed in range(ROUNDS):
            conversation, _ = services.rehearsal.start(scenario, language, seed)
            for line in lines:
                conversation = Conversation.from_dict(conversation.to_dict())
                samples.append(timed(services.rehearsal.reply, conversation, line))
    return samples


def bench_probe_turns(services) -> list[float]:
    """Every line of the tuning probes (natural questions, all six scenarios, both languages)."""
    samples = []
    for line in (
        (Path(__file__).parent / "tune" / "client_tune.jsonl").read_text(encoding="utf-8").splitlines()
    ):
        probe = json.loads(line)
        conversation, _ = services.rehearsal.start(probe["scenario"], probe["lang"], 1)
        for text in [*probe["prefix"], probe["question"]]:
            conversation = Conversation.from_dict(conversation.to_dict())
            samples.append(timed(services.rehearsal.reply, conversation, text))
    return samples


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["review_200_turns"]:  # just this measurement: python -m bench.run review_200_turns
        print(json.dumps({"review_200_turns": bench_review(build_services(Settings()))}, indent=2))
    else:
        main()
