"""``make bench``: build and load times, search, classification and rehearsal-turn latency, memory.

Prints one JSON object. Targets on two cores: search p95 <= 50 ms (warm), index load well under
1 s, classification p95 <= 40 ms, rehearsal turn p95 <= 60 ms (engine); the same turns are also
timed through HTTP (uvicorn + SQLite store).
"""

from __future__ import annotations

import json
import statistics
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
    """A cold build (empty embedding cache) and a rebuild that reuses cached embeddings."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = settings.model_copy(update={"data_dir": Path(tmp)})
        start = time.perf_counter()
        manifest = build_index(scratch).build()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_index(scratch).build()
        cached = time.perf_counter() - start
    return {"passages": manifest.passages, "cold_s": round(cold, 2), "cached_rebuild_s": round(cached, 2)}


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    settings = Settings()
    report: dict[str, object] = {"build": bench_build(settings)}
    rss_before = _rss_mib()
    index = build_index(settings)
    index.ensure()
    report["index_load_ms"] = round(timed(index.load), 1)
    report["model_warm_up_ms"] = round(timed(index.warm_up), 1)
    search = HandbookSearch(index)
    questions = [
        json.loads(line)["query"] for line in (DATA / "retrieval_dev.jsonl").read_text().splitlines()
    ]
    for question in questions:  # warm every code path once
        search.search(question, 5)
    samples = [timed(search.search, q, 5) for _ in range(ROUNDS) for q in questions]
    report["search_latency"] = _percentiles(samples)
    report["rss_mib"] = {"before_load": rss_before, "after_load_and_searches": _rss_mib()}
    services = build_services(settings)
    utterances = [
        json.loads(line)["text"] for line in (DATA / "utterances_dev.jsonl").read_text().splitlines()
    ]
    report["classify_latency"] = _percentiles(
        [timed(services.analyser.analyse, text) for _ in range(ROUNDS) for text in utterances]
    )
    report["rehearsal_turn_latency"] = _percentiles(bench_turns(services))
    report["http_turn_latency"] = _percentiles(http_turn_latencies(settings, services))
    for name, samples in webhook_ack_latencies(settings, services).items():
        report[f"webhook_{name}_latency"] = _percentiles(samples)
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


if __name__ == "__main__":
    main()
