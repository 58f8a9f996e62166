"""schemathesis over every operation with all checks, a short run on SQLite and on PostgreSQL
against the real app served by uvicorn (``make fuzz`` runs the long form)."""

from __future__ import annotations

import pytest

from bench.fuzz import fuzz, summary
from service.http.app import create_app

from .conftest import serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAX_EXAMPLES = 8


def test_schemathesis_finds_nothing(services, settings, database_url):
    app = create_app(settings.model_copy(update={"database_url": database_url}), services)
    with serve(app) as base:
        result = fuzz(base, MAX_EXAMPLES, seed=11)
    counts = summary(result)
    assert counts["operations_tested"] == 17 and counts["test_cases"] > 100, counts
    assert counts["failures"] == 0 and counts["errors"] == 0, result["output_tail"]
    assert counts["exit_code"] == 0, result["output_tail"]
