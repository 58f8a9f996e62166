"""One turn of a session: read, worked out by the caller while nothing is locked, written at once.

The engine takes milliseconds per turn; holding a database lock meanwhile would serialise every
session of every worker on SQLite (one write lock for the whole file) and hold a pooled connection
per waiting turn on PostgreSQL. So a turn reads the session, the caller records its writes on a
:class:`SessionTurn`, and :meth:`TurnStatements.commit` applies them in one short transaction that
first checks the session is still as it was read: a compare-and-set on its ``updated_at``, backed by
the unique ``(session_id, seq)`` of the transcript. If another process wrote a turn in between,
:class:`TurnConflict` is raised and nothing is written; the caller works the turn out again on the
new state (``SessionStore.run_turn``), then holding the lock (``exclusive``) so that it cannot lose
again: a rare conflict costs one locked turn, never a livelock.

A turn is the store's hot path, so its statements are compiled once per engine and executed
straight on the DBAPI cursor (:class:`_Statement`), with SQLAlchemy's own conversions of every
parameter and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from .models import scorecards, sessions, turns, utcnow
from .records import SessionNotFound, SessionRecord, TurnRow, session_from_row


class TurnConflict(Exception):
    """Another process wrote a turn of this session after it was read; nothing was written."""

    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id!r} changed while its turn was worked out")
        self.session_id = session_id


class SessionTurn:
    """The session as read for this turn, and the turn's writes (applied together by ``commit``)."""

    def __init__(self, session: SessionRecord, last_seq: int) -> None:
        self.session = session
        self.read_at: datetime = session.updated_at  # the version the writes apply to
        self._last_seq = last_seq
        self._rows: list[TurnRow] = []
        self._state: tuple[dict[str, Any], bool] | None = None
        self._scorecard: dict[str, Any] | None = None

    def add(self, role: str, text: str, data: dict[str, Any]) -> TurnRow:
        """Append a message with the next seq."""
        row = TurnRow(seq=self._last_seq + 1, role=role, text=text, data=data, created_at=utcnow())
        self._rows.append(row)
        self._last_seq = row.seq
        return row

    def save(self, state: dict[str, Any], finished: bool) -> None:
        """Store the engine's new state; ``session`` reflects it afterwards. A finished session stays
        finished (a newer one of its conversation may have replaced it)."""
        finished = finished or self.session.finished
        self._state = (state, finished)
        self.session = replace(self.session, state=state, finished=finished)

    def save_scorecard(self, scorecard: dict[str, Any]) -> None:
        """Insert or replace the session's scorecard."""
        self._scorecard = scorecard


class _Statement:
    """A Core statement compiled once for a dialect and executed on a DBAPI cursor, its parameters
    converted by SQLAlchemy's own bind processors (UTC timestamps, JSON, booleans) and its columns
    by its result processors: what ``Connection.execute`` does, without the per-execution work
    (compiled-cache lookup, execution context, events, result objects), which costs a turn several
    times what the database takes for its few statements."""

    def __init__(self, statement: ClauseElement, engine: Engine, keys: Sequence[str] | None = None) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self._names = list(compiled.positiontup or []) if compiled.positional else None
        self._binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self._literals = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        columns = getattr(statement, "selected_columns", [])
        self.columns = [column.key for column in columns]
        self._results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """``values`` (by bind name) converted for the driver, in its paramstyle."""
        binds = self._binds
        given = {**self._literals, **values} if self._literals else values
        converted = {name: binds[name](value) if name in binds else value for name, value in given.items()}
        return converted if self._names is None else [converted[name] for name in self._names]

    def rows(self, cursor: Any, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Execute and fetch every row, each by column key, converted."""
        cursor.execute(self.sql, self.params(values))
        processors = self._results
        return [
            {
                key: processor(value) if processor is not None else value
                for key, processor, value in zip(self.columns, processors, row, strict=True)
            }
            for row in cursor.fetchall()
        ]

    def run(self, cursor: Any, values: Mapping[str, Any]) -> int:
        """Execute; the number of rows it changed."""
        cursor.execute(self.sql, self.params(values))
        return int(cursor.rowcount)

    def run_many(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        cursor.executemany(self.sql, [self.params(row) for row in rows])


_LAST_SEQ = (
    select(func.coalesce(func.max(turns.c.seq), 0))
    .where(turns.c.session_id == bindparam("sid"))
    .scalar_subquery()
    .label("last_seq")
)
_READ = select(sessions, _LAST_SEQ).where(sessions.c.id == bindparam("sid"))
_LOCK = select(sessions.c.id).where(sessions.c.id == bindparam("sid")).with_for_update()
_CAS = (
    update(sessions)
    .where(sessions.c.id == bindparam("sid"), sessions.c.updated_at == bindparam("read_at"))
    .values(updated_at=bindparam("now"))
)
_CAS_STATE = _CAS.values(state=bindparam("new_state"), finished=bindparam("new_finished"))
_ADD = insert(turns).inline()  # inline: no RETURNING of the new ids (PostgreSQL)
_ADD_KEYS = ("session_id", "seq", "role", "text", "data", "created_at")
_SCORECARD = (
    update(scorecards)
    .where(scorecards.c.session_id == bindparam("sid"))
    .values(scorecard=bindparam("card"), updated_at=bindparam("now"))
)
_NEW_SCORECARD = insert(scorecards).values(
    session_id=bindparam("sid"), scorecard=bindparam("card"), updated_at=bindparam("now")
)


class TurnStatements:
    """The statements of a turn for one engine, run on a DBAPI connection of its pool (a turn's
    transactions are begun and ended by ``SessionStore.turn``: :meth:`begin`, then the
    connection's ``commit`` or ``rollback``)."""

    def __init__(self, engine: Engine) -> None:
        self._sqlite = engine.dialect.name == "sqlite"
        self._integrity_error: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError
        self._read = _Statement(_READ, engine)
        self._lock = _Statement(_LOCK, engine)
        self._cas = _Statement(_CAS, engine)
        self._cas_state = _Statement(_CAS_STATE, engine)
        self._add = _Statement(_ADD, engine, _ADD_KEYS)
        self._scorecard = _Statement(_SCORECARD, engine)
        self._new_scorecard = _Statement(_NEW_SCORECARD, engine)

    def begin(self, cursor: Any) -> None:
        """Start a write transaction: on SQLite ``BEGIN IMMEDIATE``, the database's write lock at
        once (see ``SessionStore._write``); PostgreSQL's driver begins one by itself."""
        if self._sqlite:
            cursor.execute("BEGIN IMMEDIATE")

    def read(self, cursor: Any, session_id: str, lock: bool = False) -> SessionTurn:
        """The session and the seq of its last message, in one query; with ``lock``, the session row
        stays locked until the caller's write transaction ends (PostgreSQL ``FOR UPDATE``; SQLite's
        ``BEGIN IMMEDIATE`` holds the whole database anyway)."""
        values = {"sid": session_id}
        if lock:  # first the lock, then the read: a statement that waited for a lock still sees its
            # snapshot from before the wait (PostgreSQL, READ COMMITTED), the last seq included
            self._lock.rows(cursor, values)
        rows = self._read.rows(cursor, values)
        if not rows:
            raise SessionNotFound(session_id)
        return SessionTurn(session_from_row(rows[0]), int(rows[0]["last_seq"]))

    def commit(self, cursor: Any, turn: SessionTurn) -> None:
        """Apply the turn's writes inside the caller's write transaction, or raise TurnConflict."""
        session_id = turn.session.id
        now = utcnow()
        keys = {"sid": session_id, "read_at": turn.read_at, "now": now}
        if turn._state is None:
            claimed = self._cas.run(cursor, keys)
        else:
            state, finished = turn._state
            claimed = self._cas_state.run(cursor, {**keys, "new_state": state, "new_finished": finished})
        if claimed != 1:
            raise TurnConflict(session_id)
        try:
            if turn._rows:
                self._add.run_many(cursor, [{"session_id": session_id, **row.__dict__} for row in turn._rows])
            if turn._scorecard is not None:
                # Update-then-insert is a portable upsert here: the session row is locked by the
                # update above, so no other transaction can insert this session's scorecard in between.
                card = {"sid": session_id, "card": turn._scorecard, "now": now}
                if self._scorecard.run(cursor, card) == 0:
                    self._new_scorecard.run(cursor, card)
        except self._integrity_error:  # the same seq from another process: it won
            raise TurnConflict(session_id) from None
        turn.session = replace(turn.session, updated_at=now)
        turn.read_at = now
