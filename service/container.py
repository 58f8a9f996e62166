"""Wiring: builds the domain objects once from the settings, for the CLI and the HTTP app alike."""

from __future__ import annotations

from dataclasses import dataclass

from .retrieval.answer import Answerer
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


def build_index(settings: Settings) -> HandbookIndex:
    """The index object for the configured corpus and embedder (nothing loaded yet)."""
    embedder = make_embedder(settings.embedder, threads=settings.embedder_threads)
    return HandbookIndex(settings.index_dir, settings.knowledge_dir, embedder)


def build_services(settings: Settings, progress: Progress | None = None) -> Services:
    """Load the index (rebuilding it when stale), warm the models, and wire search and answers."""
    index = build_index(settings)
    index.ensure(progress)
    index.warm_up()
    search = HandbookSearch(index, max_query_chars=settings.max_query_chars)
    return Services(settings=settings, index=index, search=search, answerer=Answerer(search))
