"""Shared fixtures: the real cleaned handbooks, a real index built once per session in a temp dir."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database per test module: a SQLite file, and a throw-away PostgreSQL database
    (skipped with the reason when no server answers on 127.0.0.1:5432)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db')}/salescoach.db"
        return
    psycopg = pytest.importorskip("psycopg")
    name = f"salescoach_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {error}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
