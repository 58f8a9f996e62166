"""The ``salescoach`` command line: index, search, ask, eval, clean, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from .errors import SalesCoachError
from .settings import Settings

# uvicorn kills a worker that does not answer its health ping in time; a worker loading the model
# on a busy machine can miss uvicorn's default 5 s, and one killed before it started stops them all
WORKER_HEALTHCHECK_SECONDS = 60

if TYPE_CHECKING:
    from .container import Services
    from .plans import PlanService

app = typer.Typer(help="SalesCoach: sales coaching with cited handbook passages.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure retrieval and analysis quality on JSONL sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
scenario_app = typer.Typer(help="Your own rehearsal scenarios, stored in the database.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


def _fail(error: Exception) -> NoReturn:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on stderr that appears only if embedding actually happens."""
    from tqdm import tqdm

    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="embedding passages", unit="passage", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def _services() -> Services:
    from .container import build_services

    try:
        with _progress_bar() as progress:
            return build_services(Settings(), progress)
    except SalesCoachError as error:
        _fail(error)


@app.command()
def index(
    force: Annotated[bool, typer.Option(help="Rebuild even when the index is fresh.")] = False,
    seed: Annotated[
        bool,
        typer.Option(
            help="Also write the embeddings into knowledge/embeddings (shipped: fresh checkouts build in seconds)."
        ),
    ] = False,
) -> None:
    """Build the search index, or refresh it when the handbooks, translations, questions, glossary or embedder changed."""
    from .container import build_index
    from .retrieval.index import SEED_CACHE

    idx = build_index(Settings())
    if not force and not seed and not idx.is_stale():
        typer.echo(f"index is fresh: {idx.index_dir}")
        return
    try:
        with _progress_bar() as progress:
            manifest = idx.build(progress)
        written = idx.export_seed() if seed else []
        if seed:  # the playbooks' reference texts too (analyser exemplars, scenario topics and lines)
            from .container import build_services

            written += build_services(Settings()).analyser.memo.export(idx.knowledge_dir / SEED_CACHE)
    except SalesCoachError as error:
        _fail(error)
    typer.echo(f"indexed {manifest.passages} passages with {manifest.embedder_id} into {idx.index_dir}")
    for path in written:
        typer.echo(f"seed embeddings: {path}")


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option(min=1, max=50, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find the handbook passages that best match QUERY (Chinese or English)."""
    from .http.schemas import search_payload

    services = _services()
    try:
        result = services.search.search(query, k)
    except SalesCoachError as error:
        _fail(error)
    payload = search_payload(result)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for n, hit in enumerate(payload["results"], 1):
        typer.secho(f"{n}. [{hit['score']:.4f}] {hit['doc']} · {hit['section']}", bold=True)
        typer.echo(f"   {hit['text'][:300]}")


@app.command()
def ask(
    question: str,
    lang: Annotated[
        str | None, typer.Option(help="Answer language: zh or en (default: the question's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer QUESTION from the handbooks, with citations."""
    if lang not in (None, "zh", "en"):
        _fail(ValueError("--lang must be zh or en"))
    services = _services()
    try:
        answer = services.answerer.ask(question, lang)  # type: ignore[arg-type]
    except SalesCoachError as error:
        _fail(error)
    if as_json:
        typer.echo(json.dumps(asdict(answer), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    for n, citation in enumerate(answer.citations, 1):
        typer.secho(f"\n[{n}] {citation.doc} · {citation.section}", bold=True)
        typer.echo(citation.text)


@eval_app.command("retrieval")
def eval_retrieval(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSONL with query, lang, gold_any.")
    ],
    k: Annotated[int, typer.Option(min=1, max=50)] = 5,
    verbose: Annotated[bool, typer.Option(help="List each question's rank.")] = False,
) -> None:
    """Recall@k and MRR@10, overall and per language."""
    from .retrieval.evaluation import evaluate_retrieval

    report = evaluate_retrieval(_services().search, file, k)
    if verbose:
        for row in report.rows:
            typer.echo(f"{row['id']}\t{row['lang']}\t{row['rank'] or '-'}\t{row['query']}")
    typer.echo(json.dumps(report.summary(), indent=2))


@app.command()
def classify(
    text: str,
    framework: Annotated[str, typer.Option(help="spin, fabe or lscpa (or moves).")] = "spin",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Classify a salesperson's utterance: SPIN question type, FABE elements or LSCPA step."""
    from .http.schemas import classification_payload

    services = _services()
    try:
        payload = classification_payload(services.analyser.classify(text, framework))
    except SalesCoachError as error:
        _fail(error)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    verdict = payload.get("label") or ", ".join(payload["labels"])
    unsure = " (unsure)" if payload["unsure"] else ""
    typer.echo(f"{payload['framework']}: {verdict}{unsure}  confidence {payload['confidence']:.2f}")
    for label, score in sorted(payload["scores"].items(), key=lambda item: -item[1]):
        typer.echo(f"  {label:<14}{score:.3f}")


@eval_app.command("utterances")
def eval_utterances(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSONL with framework, text, label(s).")
    ],
    errors: Annotated[bool, typer.Option(help="List the misclassified lines.")] = True,
) -> None:
    """SPIN and LSCPA accuracy, FABE micro-F1, per language, with confusion matrices."""
    from .dialogue.evaluation import evaluate_utterances, format_report

    report = evaluate_utterances(_services().analyser, file)
    typer.echo(format_report(report, show_errors=errors))


@eval_app.command("client")
def eval_client(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="JSONL probes: scenario, lang, prefix, question, expect."
        ),
    ],
    difficulty: Annotated[
        str | None, typer.Option(help="easy, normal or hard (default: the scenario's).")
    ] = None,
    errors: Annotated[bool, typer.Option(help="List the probes answered wrongly.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Does the rehearsal client answer what was asked? Accuracy per kind and language."""
    from .dialogue.client_evaluation import evaluate_client, format_client_report

    try:
        report = evaluate_client(_services().rehearsal, file, difficulty)
    except SalesCoachError as error:
        _fail(error)
    typer.echo(json.dumps(report.summary(), indent=2) if as_json else format_client_report(report, errors))


@eval_app.command("review")
def eval_review(
    folder: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Transcripts and labels.jsonl.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Also list every file's errors.")] = False,
) -> None:
    """SPIN tag accuracy on the salesperson's questions, talk share and next-step exactness."""
    from .review.evaluation import evaluate

    services = _services()
    try:
        report = evaluate(services.reviewer, folder)
    except SalesCoachError as error:
        _fail(error)
    typer.echo(json.dumps(report if as_json else report["summary"], ensure_ascii=False, indent=2))


@app.command()
def review(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The visit's transcript.")],
    salesperson: Annotated[
        str | None, typer.Option(help="The salesperson's speaker name (default: inferred).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto, text, vtt, srt or json.")] = "auto",
    lang: Annotated[str | None, typer.Option(help="zh or en (default: the transcript's).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
) -> None:
    """Review a real visit: every turn tagged, the metrics, and the scorecard with citations."""
    from .review import render
    from .settings import Settings as _Settings

    if as_json and as_markdown:
        _fail(ValueError("choose one of --json and --markdown"))
    limit = _Settings().review_max_bytes
    if file.stat().st_size > limit:
        _fail(ValueError(f"the transcript has {file.stat().st_size} bytes; the limit is {limit}"))
    data = file.read_bytes()
    services = _services()
    try:
        result = services.reviewer.review(data, fmt, salesperson, lang).to_dict()
    except SalesCoachError as error:
        _fail(error)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif as_markdown:
        typer.echo(render.markdown(result), nl=False)
    else:
        typer.echo(render.terminal(result))


def _store(settings: Settings):  # type: ignore[no-untyped-def]
    from .store import SessionStore, default_database_url

    store = SessionStore(settings.database_url or default_database_url(settings.data_dir))
    store.migrate()
    return store


def _plans(services: Services) -> PlanService:
    """Plans and stored scenarios on the configured database (the engine then finds stored ids)."""
    from .plans import PlanService
    from .sessions import SessionService

    return PlanService(SessionService(_store(services.settings), services))


@app.command()
def scenarios() -> None:
    """List the rehearsal scenarios: the built-in ones, then your stored ones."""
    from .plans import parse_scenario
    from .playbooks.scenarios import load_scenarios

    settings = Settings()
    try:
        found = list(load_scenarios(settings.playbooks_dir).values())
        found += [parse_scenario(s.source) for s in _store(settings).list_scenarios()]
    except SalesCoachError as error:
        _fail(error)
    for scenario in found:
        persona = scenario.persona
        typer.echo(
            f"{scenario.id:<34}{scenario.title.zh} / {scenario.title.en}  ({persona.cute_role}, {scenario.source})"
        )


def _lines() -> Iterator[str]:
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


@app.command()
def chat(
    scenario: Annotated[str, typer.Option(help="Scenario id (see `salescoach scenarios`).")],
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    seed: Annotated[int | None, typer.Option(help="Fix the client's line variants (for scripts).")] = None,
    difficulty: Annotated[
        str | None,
        typer.Option(help="easy, normal or hard: how readily the client opens up (default: the scenario's)."),
    ] = None,
) -> None:
    """Rehearse a client visit: reads your lines from standard input, prints client, coach and scorecard."""
    if lang not in ("zh", "en"):
        _fail(ValueError("--lang must be zh or en"))
    services = _services()
    _plans(services)  # stored scenarios (your own, those of plans) are rehearsed too
    _chat(services, scenario, lang, seed, difficulty)


def _chat(services: Services, scenario: str, lang: str, seed: int | None, difficulty: str | None) -> None:
    from .dialogue.conversation import Conversation
    from .terminal import render_turn

    try:
        conversation, reply = services.rehearsal.start(scenario, lang, seed, difficulty)  # type: ignore[arg-type]
    except SalesCoachError as error:
        _fail(error)
    typer.echo(render_turn(reply))
    state = conversation.to_dict()
    for line in _lines():
        conversation = Conversation.from_dict(state)  # persisted between turns, as a server would
        typer.echo(f"\n> {line}")
        try:
            reply = services.rehearsal.reply(conversation, line)
        except SalesCoachError as error:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            continue
        state = conversation.to_dict()
        typer.echo(render_turn(reply))
        if reply.done and reply.command == "quit":
            break


@app.command()
def plan(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The visit plan, YAML or JSON.")],
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the plan as Markdown.")] = False,
    rehearse: Annotated[
        bool, typer.Option("--rehearse", help="Then rehearse the visit here (lines from standard input).")
    ] = False,
    seed: Annotated[int | None, typer.Option(help="Fix the client's line variants (for scripts).")] = None,
) -> None:
    """Make a visit plan (表1-3 销售拜访计划表) for tomorrow's client; stored, so it can be rehearsed
    later too (`salescoach chat --scenario plan_<plan_id>`)."""
    import yaml

    from .planning.scenario_builder import scenario_id

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))  # JSON is YAML too
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        _fail(ValueError(f"{file}: cannot read the plan: {error}"))
    services = _services()
    plans = _plans(services)
    try:
        record = plans.create(data)
    except SalesCoachError as error:
        _fail(error)
    if markdown:
        typer.echo(plans.markdown(record))
    else:
        typer.echo(json.dumps(plans.payload(record), ensure_ascii=False, indent=2))
    if rehearse:
        plans.rehearse(record.id)  # builds and stores the plan's scenario
        typer.echo(f"\n--- {scenario_id(record.id)} ---")
        _chat(services, scenario_id(record.id), record.language, seed, None)


@scenario_app.command("add")
def scenario_add(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A scenario YAML.")],
) -> None:
    """Validate a scenario file like the built-in ones and store it (then rehearse it anywhere)."""
    services = _services()
    try:
        scenario = _plans(services).add_scenario(file.read_text(encoding="utf-8"))
    except (SalesCoachError, OSError, UnicodeDecodeError) as error:
        _fail(error)
    typer.echo(f"stored {scenario.id}: {scenario.title.zh} / {scenario.title.en}")


@eval_app.command("plans")
def eval_plans(
    folder: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="A folder with plans.jsonl and probes.jsonl.")
    ],
    errors: Annotated[bool, typer.Option(help="List the probes answered wrongly.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generated scenarios: does their client answer what was asked (per language)? And are the
    plans' SPIN questions classified by the analyser as the kind they are listed under?"""
    from .dialogue.client_evaluation import format_client_report
    from .planning.evaluation import evaluate_plans

    try:
        report = evaluate_plans(_services(), folder)
    except SalesCoachError as error:
        _fail(error)
    if as_json:
        typer.echo(json.dumps({"client": report.client.summary(), "questions": report.questions}, indent=2))
        return
    typer.echo(format_client_report(report.client, errors))
    typer.echo("SPIN questions classified as their listed kind:")
    for lang, rates in report.questions.items():
        for name, value in rates.items():
            typer.echo(f"  {lang} {name:<10} {value['rate']:.3f}  ({value['agree']}/{value['n']})")


@app.command()
def drill(
    framework: Annotated[str, typer.Argument(help="spin, lscpa or fabe.")],
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    seed: Annotated[int | None, typer.Option(help="Fix the order of the exercises.")] = None,
) -> None:
    """Drill one framework: answer each exercise on a line; each answer is judged with a citation."""
    from .dialogue.drills import DrillState
    from .terminal import render_turn

    if lang not in ("zh", "en"):
        _fail(ValueError("--lang must be zh or en"))
    services = _services()
    try:
        state, reply = services.drills.start(framework, lang, seed)  # type: ignore[arg-type]
    except SalesCoachError as error:
        _fail(error)
    typer.echo(render_turn(reply))
    for line in _lines():
        state = DrillState.from_dict(state.to_dict())
        typer.echo(f"\n> {line}")
        try:
            reply = services.drills.reply(state, line)
        except SalesCoachError as error:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            continue
        typer.echo(render_turn(reply))
        if state.finished:
            break


@app.command()
def clean() -> None:
    """Regenerate knowledge/handbooks/*.md from the raw sources in knowledge/sources/."""
    from .knowledge.cleaning import rebuild_knowledge

    knowledge = Settings().knowledge_dir
    for path in rebuild_knowledge(knowledge / "sources", knowledge / "handbooks"):
        typer.echo(f"wrote {path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes sharing the port and the database.")
    ] = 1,
) -> None:
    """Serve the web page and the API (builds the index first when it is missing or stale).

    With several workers, /metrics adds up all of them (prometheus-client's multiprocess mode, in
    $PROMETHEUS_MULTIPROC_DIR, default <data dir>/metrics, emptied here at every start)."""
    import os

    import uvicorn

    from .http.metrics import MULTIPROCESS_ENV, prepare_multiprocess_dir

    settings = Settings()
    if workers > 1 or os.environ.get(MULTIPROCESS_ENV):
        prepare_multiprocess_dir(Path(os.environ.get(MULTIPROCESS_ENV) or settings.data_dir / "metrics"))
    # our JSON request log replaces uvicorn's access log, which would print query strings (user text)
    if workers == 1:
        from .http.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, access_log=False)
    else:  # each worker imports the app itself (service.http.asgi), with the environment set above
        from .container import build_index
        from .store import SessionStore, default_database_url

        index = build_index(settings)
        if index.is_stale():  # built once here, not N times at once in the workers
            index.build()
        store = SessionStore(settings.database_url or default_database_url(settings.data_dir))
        store.migrate()  # likewise: the workers find the schema at head
        store.close()
        uvicorn.run(
            "service.http.asgi:app", host=host, port=port, workers=workers, access_log=False,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )  # fmt: skip


if __name__ == "__main__":
    app()
