"""Bring a database's schema to the newest migration with Alembic, configured in code.

No alembic.ini is needed at runtime: the script location is this package's ``migrations`` folder and
the connection is handed to ``env.py`` through ``Config.attributes``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from .engine import SQLITE_BEGIN

MIGRATIONS = Path(__file__).with_name("migrations")

# Arbitrary constant key for pg_advisory_xact_lock, so two workers starting together migrate in turn.
_PG_MIGRATION_LOCK = 0x5A1E5C0A


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """``alembic upgrade head`` in one transaction; a no-op when already at head."""
    config = alembic_config()
    with engine.connect() as connection:
        # SQLite: take the write lock up front so two processes cannot both decide to create tables.
        connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
