"""Wiring: builds the domain objects once from the settings, for the CLI and the HTTP app alike."""

from __future__ import annotations

from dataclasses import dataclass

from .dialogue.analyser import UtteranceAnalyser
from .dialogue.coach import Coach
from .dialogue.drills import DrillEngine
from .dialogue.rehearsal import RehearsalEngine
from .planning.planner import VisitPlanner
from .planning.templates import PlanningTemplates, load_planning
from .planning.wizard import WizardTexts, load_wizard
from .playbooks.cards import load_cards
from .playbooks.coaching import load_coaching
from .playbooks.frameworks import load_frameworks
from .playbooks.review import load_review
from .playbooks.scenarios import load_scenarios
from .retrieval.answer import Answerer
from .retrieval.cards import CardIndex
from .retrieval.embedders import EmbeddingMemo, make_embedder
from .retrieval.index import CACHE_DIR, SEED_CACHE, HandbookIndex, Progress
from .retrieval.searcher import HandbookSearch
from .review.reviewer import Reviewer
from .review.transcript import Limits
from .settings import Settings


@dataclass
class Services:
    settings: Settings
    index: HandbookIndex
    search: HandbookSearch
    answerer: Answerer
    analyser: UtteranceAnalyser
    rehearsal: RehearsalEngine
    drills: DrillEngine
    reviewer: Reviewer
    planner: VisitPlanner
    planning: PlanningTemplates
    wizard: WizardTexts


def build_index(settings: Settings, use_seed: bool = True) -> HandbookIndex:
    """The index object for the configured corpus and embedder (nothing loaded yet)."""
    embedder = make_embedder(settings.embedder, threads=settings.embedder_threads)
    return HandbookIndex(settings.index_dir, settings.knowledge_dir, embedder, use_seed=use_seed)


def build_services(settings: Settings, progress: Progress | None = None) -> Services:
    """Load the index (rebuilding it when stale), the playbooks, warm the models, wire everything.

    Fails here, at start-up, when a playbook or a citation in it is broken."""
    index = build_index(settings)
    index.ensure(progress)
    index.warm_up()
    cards = CardIndex(load_cards(settings.playbooks_dir), index, settings.playbooks_dir)
    frameworks = load_frameworks(settings.playbooks_dir)
    memo = EmbeddingMemo(index.embedder, settings.data_dir / CACHE_DIR, settings.knowledge_dir / SEED_CACHE)
    analyser = UtteranceAnalyser(index.embedder, frameworks, memo=memo, max_chars=settings.max_query_chars)
    analyser.warm_up()
    cards.warm_up(memo)
    coaching = load_coaching(settings.playbooks_dir, frameworks)
    coach = Coach(frameworks, coaching, index.passages, settings.playbooks_dir)
    search = HandbookSearch(index, max_query_chars=settings.max_query_chars)
    rehearsal = RehearsalEngine(load_scenarios(settings.playbooks_dir), analyser, coach, index.segmenter)
    rehearsal.warm_up()
    reviewer = Reviewer(
        analyser, coach, load_review(settings.playbooks_dir),
        Limits(max_bytes=settings.review_max_bytes, max_turns=settings.review_max_turns),
    )  # fmt: skip
    reviewer.warm_up()
    memo.persist()  # the next start-up embeds only what changed
    planning = load_planning(settings.playbooks_dir)
    return Services(
        settings=settings,
        index=index,
        search=search,
        answerer=Answerer(search, cards),
        analyser=analyser,
        rehearsal=rehearsal,
        drills=DrillEngine(analyser, coach),
        reviewer=reviewer,
        planner=VisitPlanner(planning, coach, cards, analyser),
        planning=planning,
        wizard=load_wizard(settings.playbooks_dir),
    )
