"""SessionStore: the one way the service reads and writes sessions, turns, scorecards and events."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from . import events
from .engine import SQLITE_BEGIN, make_engine, sqlite_file
from .events import EventClaim
from .keys import stored_key
from .models import processed_events, scorecards, sessions, turns, utcnow
from .records import SessionNotFound, SessionRecord, TurnRow
from .schema import upgrade_to_head

_SESSION_ID = re.compile(r"[0-9a-f]{32}")
# Writers that lose a race on a unique key retry; each retry sees the winner's committed row.
_CONFLICT_RETRIES = 8


class SessionStore:
    """Sessions and their transcripts in a SQL database (SQLite by default, PostgreSQL when configured).

    Thread-safe: share one instance per process. Several processes (workers) may open the same
    database; :meth:`turn` and :meth:`claim_event` stay correct across them.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = make_engine(url)  # lazy: no connection until first use
        self._locks = _KeyedLocks()

    # -- lifecycle --------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (safe to call on every start)."""
        path = sqlite_file(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(self._engine)

    def ping(self) -> bool:
        """True when the database answers ``SELECT 1``."""
        try:
            with self._engine.connect() as connection:
                return connection.execute(text("SELECT 1")).scalar() == 1
        except Exception:
            return False

    def close(self) -> None:
        """Close pooled connections. The store reconnects if used again."""
        self._engine.dispose()

    # -- sessions and transcripts -----------------------------------------------------------------

    def create_session(
        self,
        *,
        mode: str,
        language: str,
        state: dict[str, Any],
        scenario: str | None = None,
        framework: str | None = None,
        channel_key: str | None = None,
        replace_open: bool = False,
    ) -> SessionRecord:
        """Insert a new session. A second *unfinished* session with the same ``channel_key`` raises
        ``sqlalchemy.exc.IntegrityError`` — unless ``replace_open``: then the open one is finished in
        the same transaction, so concurrent opens end with exactly one open session, the last."""
        now = utcnow()
        key = stored_key(channel_key, sessions.c.channel_key) if channel_key is not None else None
        record = SessionRecord(
            id=uuid.uuid4().hex, mode=mode, scenario=scenario, framework=framework, language=language,
            state=state, finished=False, channel_key=key, created_at=now, updated_at=now,
        )  # fmt: skip
        if key is None or not replace_open:
            with self._write() as connection:
                connection.execute(insert(sessions).values(**record.__dict__))
            return record
        open_one = (sessions.c.channel_key == key) & sessions.c.finished.is_(False)
        with self._locks.hold(f"channel:{key}"):  # in this process: no race at all
            for attempt in range(_CONFLICT_RETRIES):  # across processes: the loser retries
                try:
                    with self._write() as connection:
                        connection.execute(
                            update(sessions).where(open_one).values(finished=True, updated_at=now)
                        )
                        connection.execute(insert(sessions).values(**record.__dict__))
                    return record
                except IntegrityError:
                    if attempt == _CONFLICT_RETRIES - 1:
                        raise
        raise AssertionError("unreachable")

    def get_session(self, session_id: str) -> SessionRecord | None:
        if not is_session_id(session_id):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(sessions).where(sessions.c.id == session_id)).mappings().first()
        return _session(row) if row is not None else None

    def find_by_channel_key(self, channel_key: str) -> SessionRecord | None:
        """The newest unfinished session of a messenger conversation, if any."""
        key = stored_key(channel_key, sessions.c.channel_key)
        query = (
            select(sessions)
            .where(sessions.c.channel_key == key, sessions.c.finished.is_(False))
            .order_by(sessions.c.created_at.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return _session(row) if row is not None else None

    def list_turns(self, session_id: str) -> list[TurnRow]:
        """The transcript in seq order (empty for an unknown session)."""
        if not is_session_id(session_id):
            return []
        query = select(turns).where(turns.c.session_id == session_id).order_by(turns.c.seq)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [TurnRow(seq=r["seq"], role=r["role"], text=r["text"], data=r["data"], created_at=r["created_at"])
                for r in rows]  # fmt: skip

    def get_scorecard(self, session_id: str) -> dict[str, Any] | None:
        if not is_session_id(session_id):
            return None
        query = select(scorecards.c.scorecard).where(scorecards.c.session_id == session_id)
        with self._engine.connect() as connection:
            value: dict[str, Any] | None = connection.execute(query).scalar()
        return value

    # -- turns and webhook events -----------------------------------------------------------------

    @contextmanager
    def turn(self, session_id: str) -> Iterator[SessionTurn]:
        """One transaction holding an exclusive lock on the session for its whole duration.

        Concurrent messages to the same session are serialised, so no turn is lost or doubled:
        within this process by a per-session ``threading.Lock`` (waiting there is cheaper than
        holding a pooled connection or spinning on SQLite's busy handler), across processes by
        ``SELECT … FOR UPDATE`` on the session row (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite,
        which locks the whole database for writing). Commits on normal exit, rolls back everything
        on exception. Raises :class:`SessionNotFound`.
        """
        if not is_session_id(session_id):
            raise SessionNotFound(session_id)
        with self._locks.hold(session_id), self._write() as connection:
            row = (
                connection.execute(select(sessions).where(sessions.c.id == session_id).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                raise SessionNotFound(session_id)
            last_seq = connection.execute(
                select(func.coalesce(func.max(turns.c.seq), 0)).where(turns.c.session_id == session_id)
            ).scalar_one()
            yield SessionTurn(connection, _session(row), last_seq)

    def claim_event(
        self, channel: str, event_id: str, lease: timedelta = timedelta(seconds=30)
    ) -> EventClaim:
        """Claim a webhook delivery: ``work`` the first time (and again when earlier work failed or
        its worker died, see :mod:`.events`), ``resend`` a kept reply that was never posted, or
        ``skip`` a duplicate. Decided by the primary key, so it holds across processes and restarts."""
        key = stored_key(event_id, processed_events.c.event_id)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with self._write() as connection:
                    return events.claim(connection, channel, key, lease)
            except IntegrityError:  # a concurrent first delivery inserted it: look again
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def event_answered(self, channel: str, event_id: str, reply: dict[str, Any]) -> None:
        """Keep the reply of a claimed event until it is delivered."""
        with self._write() as connection:
            events.answered(connection, channel, stored_key(event_id, processed_events.c.event_id), reply)

    def event_delivered(self, channel: str, event_id: str) -> None:
        with self._write() as connection:
            events.delivered(connection, channel, stored_key(event_id, processed_events.c.event_id))

    def release_event(self, channel: str, event_id: str) -> None:
        """The work or the delivery failed: let the platform's retry have the event."""
        with self._write() as connection:
            events.release(connection, channel, stored_key(event_id, processed_events.c.event_id))

    def bind_signature(self, channel: str, signature: str, event_id: str, window: timedelta) -> bool:
        """False when ``signature`` (one that does not cover the body) came with another event within
        ``window``: a replayed signature. See :func:`.events.bind_signature`."""
        key = stored_key(event_id, processed_events.c.event_id)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with self._write() as connection:
                    return events.bind_signature(connection, channel, signature, key, window)
            except IntegrityError:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on exit, rolled back on exception.

        On SQLite the transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads
        first and writes later can fail with SQLITE_BUSY on the lock upgrade, which busy_timeout
        cannot wait out.
        """
        with self._engine.connect() as connection:
            connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with connection.begin():
                yield connection


class SessionTurn:
    """The session as read under :meth:`SessionStore.turn`'s lock, and the writes of that turn."""

    def __init__(self, connection: Connection, session: SessionRecord, last_seq: int) -> None:
        self._connection = connection
        self.session = session
        self._last_seq = last_seq

    def add(self, role: str, text: str, data: dict[str, Any]) -> TurnRow:
        """Append a message with the next seq."""
        row = TurnRow(seq=self._last_seq + 1, role=role, text=text, data=data, created_at=utcnow())
        self._connection.execute(insert(turns).values(session_id=self.session.id, **row.__dict__))
        self._last_seq = row.seq
        self._touch(row.created_at)
        return row

    def save(self, state: dict[str, Any], finished: bool) -> None:
        """Store the engine's new state; ``session`` reflects it afterwards. A finished session stays
        finished (a newer one of its conversation may have replaced it)."""
        finished = finished or self.session.finished
        now = utcnow()
        self._connection.execute(
            update(sessions)
            .where(sessions.c.id == self.session.id)
            .values(state=state, finished=finished, updated_at=now)
        )
        self.session = replace(self.session, state=state, finished=finished, updated_at=now)

    def save_scorecard(self, scorecard: dict[str, Any]) -> None:
        """Insert or replace the session's scorecard."""
        now = utcnow()
        # Update-then-insert is a portable upsert here: the session row lock is held, so no other
        # transaction can insert this session's scorecard in between.
        result = self._connection.execute(
            update(scorecards)
            .where(scorecards.c.session_id == self.session.id)
            .values(scorecard=scorecard, updated_at=now)
        )
        if result.rowcount == 0:
            self._connection.execute(
                insert(scorecards).values(session_id=self.session.id, scorecard=scorecard, updated_at=now)
            )
        self._touch(now)

    def _touch(self, now: Any) -> None:
        self._connection.execute(
            update(sessions).where(sessions.c.id == self.session.id).values(updated_at=now)
        )
        self.session = replace(self.session, updated_at=now)


class _KeyedLocks:
    """One ``threading.Lock`` per key, dropped again once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


def is_session_id(value: str) -> bool:
    """Whether ``value`` has the form of the ids this store hands out (uuid4 hex). Anything else
    cannot name a session, so it is not looked up at all (a NUL in it would be a PostgreSQL error)."""
    return _SESSION_ID.fullmatch(value) is not None


def _session(row: RowMapping) -> SessionRecord:
    return SessionRecord(
        id=row["id"], mode=row["mode"], scenario=row["scenario"], framework=row["framework"],
        language=row["language"], state=row["state"], finished=row["finished"], channel_key=row["channel_key"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )  # fmt: skip
