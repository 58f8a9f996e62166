"""SessionStore: the one way the service reads and writes sessions, turns, scorecards and events."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..text import clean_text
from . import events
from .engine import SQLITE_BEGIN, make_engine, sqlite_file
from .events import EventClaim
from .keys import stored_key
from .models import processed_events, reviews, scorecards, sessions, turns, utcnow
from .plan_rows import PlanRows
from .records import SessionBusy, SessionNotFound, SessionRecord, TurnRow, session_from_row
from .schema import upgrade_to_head
from .turns import SessionTurn, TurnConflict, TurnStatements

_SESSION_ID = re.compile(r"[0-9a-f]{32}")
T = TypeVar("T")
# Writers that lose a race on a unique key retry; each retry sees the winner's committed row.
_CONFLICT_RETRIES = 8


class SessionStore(PlanRows):
    """Sessions and their transcripts in a SQL database (SQLite by default, PostgreSQL when configured).

    Thread-safe: share one instance per process. Several processes (workers) may open the same
    database; :meth:`turn` and :meth:`claim_event` stay correct across them.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = make_engine(url)  # lazy: no connection until first use
        self._locks = _KeyedLocks()
        self._turns = TurnStatements(self._engine)

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
        opening: tuple[str, dict[str, Any]] | None = None,
    ) -> SessionRecord:
        """Insert a new session, with its first (bot) message ``opening`` = ``(text, data)`` in the
        same transaction. A second *unfinished* session with the same ``channel_key`` raises
        ``sqlalchemy.exc.IntegrityError`` — unless ``replace_open``: then the open one is finished in
        the same transaction, so concurrent opens end with exactly one open session, the last."""
        now = utcnow()
        key = stored_key(channel_key, sessions.c.channel_key) if channel_key is not None else None
        record = SessionRecord(
            id=uuid.uuid4().hex, mode=mode, scenario=scenario, framework=framework, language=language,
            state=state, finished=False, channel_key=key, created_at=now, updated_at=now,
        )  # fmt: skip
        first = (
            [
                {
                    "session_id": record.id,
                    "seq": 1,
                    "role": "bot",
                    "text": opening[0],
                    "data": opening[1],
                    "created_at": now,
                }
            ]
            if opening is not None
            else []
        )
        if key is None or not replace_open:
            with self._write() as connection:
                connection.execute(insert(sessions).values(**record.__dict__))
                if first:
                    connection.execute(insert(turns), first)
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
                        if first:
                            connection.execute(insert(turns), first)
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
        return session_from_row(row) if row is not None else None

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
        return session_from_row(row) if row is not None else None

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

    # -- reviews of real visits ------------------------------------------------------------------------

    def create_review(
        self, *, language: str, salesperson: str, transcript: str, result: dict[str, Any]
    ) -> str:
        """Keep a finished review (the transcript as sent, NUL removed, and the result); its id."""
        review_id = uuid.uuid4().hex
        row = {
            "id": review_id, "created_at": utcnow(), "language": language,
            "salesperson": clean_text(salesperson)[:200], "transcript": clean_text(transcript), "result": result,
        }  # fmt: skip
        with self._write() as connection:
            connection.execute(insert(reviews).values(**row))
        return review_id

    def get_review(self, review_id: str) -> dict[str, Any] | None:
        """``{"review_id", "created_at", "lang", "salesperson", "transcript", "result"}``, or None."""
        if not is_session_id(review_id):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(reviews).where(reviews.c.id == review_id)).mappings().first()
        if row is None:
            return None
        return {
            "review_id": row["id"], "created_at": row["created_at"], "lang": row["language"],
            "salesperson": row["salesperson"], "transcript": row["transcript"], "result": row["result"],
        }  # fmt: skip

    # -- turns and webhook events -----------------------------------------------------------------

    @contextmanager
    def turn(self, session_id: str, exclusive: bool = False, wait: bool = True) -> Iterator[SessionTurn]:
        """One turn: the session as read, the caller's writes on the yielded :class:`SessionTurn`,
        committed together on normal exit (nothing is written on an exception).

        No database lock is held while the caller works (see :mod:`.turns`). Concurrent turns of one
        session are serialised within this process by a per-session ``threading.Lock``; across
        processes the commit applies only if nobody wrote the session since it was read, else it
        raises :class:`TurnConflict` with nothing written. :meth:`run_turn` retries for you.
        ``exclusive`` holds the session's database lock for the whole turn instead (no conflict
        possible; on SQLite that blocks every other writer meanwhile). Raises :class:`SessionNotFound`;
        without ``wait``, :class:`SessionBusy` instead of waiting for another thread's turn.
        """
        if not is_session_id(session_id):
            raise SessionNotFound(session_id)
        statements = self._turns
        # One pooled DBAPI connection for the read and the write (one checkout, one pre-ping on
        # PostgreSQL); the turn's statements run on it directly (see .turns).
        with self._locks.hold(session_id, wait), self._dbapi_connection() as connection:
            cursor = connection.cursor()
            if exclusive:
                statements.begin(cursor)
                turn = statements.read(cursor, session_id, lock=True)
                yield turn
            else:
                turn = statements.read(cursor, session_id)
                connection.rollback()  # end the read: nothing is held while the caller works
                yield turn
                statements.begin(cursor)
            statements.commit(cursor, turn)
            connection.commit()

    def run_turn(self, session_id: str, work: Callable[[SessionTurn], T]) -> T:
        """``work(turn)`` inside :meth:`turn`; when another process wrote the session meanwhile,
        worked out again on the new state, holding the session's lock this time (``exclusive``).
        Returns what ``work`` returned."""
        try:
            with self.turn(session_id) as turn:
                result = work(turn)
            return result
        except TurnConflict:
            with self.turn(session_id, exclusive=True) as turn:
                result = work(turn)
            return result

    def try_turn(self, session_id: str, work: Callable[[SessionTurn], T]) -> T:
        """``work(turn)`` in one optimistic turn that never waits for the session: raises
        :class:`SessionBusy` when another thread of this process is in a turn of it, and
        :class:`TurnConflict` (nothing written) when another process wrote it meanwhile; then
        :meth:`run_turn`, which waits, is the way. For a caller that must not block (an event loop);
        the database itself is not waited for beyond a commit's write lock."""
        with self.turn(session_id, wait=False) as turn:
            result = work(turn)
        return result

    def claim_event(self, channel: str, event_id: str, lease: timedelta = events.CLAIM_LEASE) -> EventClaim:
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
    def _dbapi_connection(self) -> Iterator[Any]:
        """A DBAPI connection from the engine's pool, returned to it on exit (rolled back then, if a
        transaction is still open: nothing of a failed turn is written)."""
        connection = self._engine.raw_connection()
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on exit, rolled back on exception.

        On SQLite the transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads
        first and writes later can fail with SQLITE_BUSY on the lock upgrade, which busy_timeout
        cannot wait out.
        """
        with self._engine.connect() as connection, _write_transaction(connection):
            yield connection


class _KeyedLocks:
    """One ``threading.Lock`` per key, dropped again once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str, wait: bool = True) -> Iterator[None]:
        """The key's lock for the block; without ``wait``, :class:`SessionBusy` if it is held."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            if not lock.acquire(blocking=wait):
                raise SessionBusy(key)
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


@contextmanager
def _write_transaction(connection: Connection) -> Iterator[None]:
    """A write transaction on ``connection`` (BEGIN IMMEDIATE on SQLite, see :meth:`SessionStore._write`)."""
    connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    with connection.begin():
        yield


def is_session_id(value: str) -> bool:
    """Whether ``value`` has the form of the ids this store hands out (uuid4 hex). Anything else
    cannot name a session, so it is not looked up at all (a NUL in it would be a PostgreSQL error)."""
    return _SESSION_ID.fullmatch(value) is not None
