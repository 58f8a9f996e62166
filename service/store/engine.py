"""Engines: the default SQLite location and the per-backend connection set-up.

SQLite needs three things pysqlite does not do by itself:

* WAL journal, so readers never block the writer and vice versa, with ``synchronous=NORMAL``: a
  commit is not fsynced (WAL checkpoints are), so it survives the process being killed but the
  last commits may be lost if the machine loses power — the price of not waiting for the disk on
  every turn;
* a busy timeout, so a second process waits for the write lock instead of failing at once;
* real ``BEGIN IMMEDIATE`` transactions. pysqlite normally opens transactions lazily (and
  deferred), so two writers can both read a session and only collide — or silently race — on the
  write. Following the SQLAlchemy "Serializable isolation / Savepoints / Transactional DDL" recipe we
  switch pysqlite's own transaction handling off and emit BEGIN ourselves in the ``begin`` event;
  a connection whose execution options carry ``sqlite_begin="IMMEDIATE"`` takes the database write
  lock right at the start of its transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000

# Execution option naming the SQLite BEGIN flavour of a connection's next transaction.
SQLITE_BEGIN = "sqlite_begin"


def default_database_url(data_dir: Path) -> str:
    """The SQLite database inside the service's data folder."""
    return f"sqlite:///{Path(data_dir)}/salescoach.db"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; connects lazily (no I/O here)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre_ping: a PostgreSQL restart must not leave dead connections in the pool.
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other backends and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: from now on only our own BEGIN opens a transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")
