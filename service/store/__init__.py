"""Persistence: chat sessions, their transcripts and scorecards, and processed webhook event ids.

One class, :class:`SessionStore`, on SQLAlchemy Core. SQLite (WAL) is the default; any SQLAlchemy
URL works, PostgreSQL (``postgresql+psycopg://…``) is the tested alternative. The schema is owned by
the Alembic migrations shipped in ``migrations/``; :meth:`SessionStore.migrate` applies them.
"""

from __future__ import annotations

from .engine import default_database_url
from .plan_rows import PlanNotFound, PlanRecord, ScenarioExists, StoredScenario
from .records import ReviewNotFound, SessionBusy, SessionNotFound, SessionRecord, TurnRow
from .store import SessionStore
from .turns import SessionTurn, TurnConflict

__all__ = [
    "PlanNotFound",
    "PlanRecord",
    "ReviewNotFound",
    "ScenarioExists",
    "SessionBusy",
    "SessionNotFound",
    "SessionRecord",
    "SessionStore",
    "SessionTurn",
    "StoredScenario",
    "TurnConflict",
    "TurnRow",
    "default_database_url",
]
