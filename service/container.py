"""Wiring: builds the domain objects once from the settings, for the CLI and the HTTP app alike."""

from __future__ import annotations

from dataclasses import dataclass

from .dialogue.analyser import UtteranceAnalyser
from .playbooks.cards import load_cards
from .playbooks.frameworks import load_frameworks
from .retrieval.answer import Answerer
from .retrieval.cards import CardIndex
from .retrieval.embedders import make_embedder
from .retrieval.index import HandbookIndex, Progress
from .retrieval.searcher import HandbookSearch
from .settings import Settings


@dataclass
class Services:
    settings: Settings
    index: HandbookIndex
    search: HandbookSearch
    answerer: Answerer
    analyser: UtteranceAnalyser


def build_index(settings: Settings) -> HandbookIndex:
    """The index object for the configured corpus and embedder (nothing loaded yet)."""
    embedder = make_embedder(settings.embedder, threads=settings.embedder_threads)
    return HandbookIndex(settings.index_dir, settings.knowledge_dir, embedder)


def build_services(settings: Settings, progress: Progress | None = None) -> Services:
    """Load the index (rebuilding it when stale), the playbooks, warm the models, wire everything.

    Fails here, at start-up, when a playbook or a citation in it is broken."""
    index = build_index(settings)
    index.ensure(progress)
    index.warm_up()
    cards = CardIndex(load_cards(settings.playbooks_dir), index, settings.playbooks_dir)
    cards.warm_up()
    analyser = UtteranceAnalyser(index.embedder, load_frameworks(settings.playbooks_dir))
    analyser.warm_up()
    search = HandbookSearch(index, max_query_chars=settings.max_query_chars)
    return Services(
        settings=settings, index=index, search=search, answerer=Answerer(search, cards), analyser=analyser
    )
