"""Table definitions (SQLAlchemy Core). The migrations create these; keep the two in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

# Fixed constraint names so migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps the offset (timestamptz) but SQLite stores naive text, so values are converted
    to UTC on the way in and tagged UTC on the way out — callers always get aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("scenario", String(200)),
    Column("framework", String(50)),
    Column("language", String(8), nullable=False),
    Column("state", JSON, nullable=False),
    Column("finished", Boolean, nullable=False, default=False),
    Column("channel_key", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # A messenger user has at most one open session per conversation; finished ones stay as history,
    # so uniqueness covers unfinished sessions only (partial index on both backends).
    Index(
        "uq_sessions_open_channel_key",
        "channel_key",
        unique=True,
        sqlite_where=text("NOT finished"),
        postgresql_where=text("NOT finished"),
    ),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("role", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Also the index list_turns reads through; a doubled seq fails loudly instead of forking history.
    UniqueConstraint("session_id", "seq"),
)

scorecards = Table(
    "scorecards",
    metadata,
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("scorecard", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("channel", String(50), primary_key=True),
    Column("event_id", String(255), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    # "working" (claimed, the coach is at it), "answered" (reply kept, not posted yet), "delivered"
    Column("state", String(16), nullable=False, server_default="delivered"),
    Column("reply", JSON),
    Column("claimed_at", UTCDateTime),  # who holds the event since when; NULL once released
)

webhook_signatures = Table(
    "webhook_signatures",
    metadata,
    Column("channel", String(50), primary_key=True),
    Column("signature", String(64), primary_key=True),  # SHA-256 hex of the signed header values
    Column("event_id", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("language", String(8), nullable=False),
    Column("salesperson", String(200), nullable=False),
    Column("transcript", Text, nullable=False),  # as sent (NUL removed), for a later re-review
    Column("result", JSON, nullable=False),  # turns, metrics, scorecard
)

plans = Table(
    "plans",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("language", String(8), nullable=False),
    Column("plan", JSON, nullable=False),  # the input as validated
    Column("filled", JSON, nullable=False),  # the plan the coach filled in
    Column("channel_key", String(500), index=True),  # the messenger conversation that made it, if any
    Column("created_at", UTCDateTime, nullable=False),
)

custom_scenarios = Table(
    "custom_scenarios",
    metadata,
    Column("id", String(100), primary_key=True),  # the scenario's id (never one of the built-in ones)
    Column("source", Text, nullable=False),  # the YAML as posted
    Column("plan_id", String(32)),  # the plan it was built from, if any
    Column("created_at", UTCDateTime, nullable=False),
)
