"""Shared fixtures: the real cleaned handbooks, a real index built once per session in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.retrieval.corpus import Document, load_documents
from service.settings import PROJECT_ROOT, Settings

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def documents() -> list[Document]:
    return load_documents(KNOWLEDGE)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, knowledge_dir=KNOWLEDGE)


@pytest.fixture(scope="session")
def services(settings: Settings):
    """The real thing: bundled e5 model, FAISS and BM25 over the full cleaned corpus."""
    from service.container import build_services

    return build_services(settings)


@pytest.fixture(scope="session")
def client(services, settings: Settings):
    """A TestClient running the app's lifespan against the session's (already built) index."""
    from fastapi.testclient import TestClient

    from service.http.app import create_app

    with TestClient(create_app(settings, services)) as test_client:
        yield test_client
