"""Review fixtures: the real reviewer (bundled model, real playbooks) from the session's services."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def reviewer(services):
    return services.reviewer


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()
