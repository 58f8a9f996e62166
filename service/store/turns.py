"""One turn of a session: read, worked out by the caller while nothing is locked, written at once.

The engine takes tens of milliseconds per turn; holding a database lock meanwhile would serialise
every session of every worker on SQLite (one write lock for the whole file) and hold a pooled
connection per waiting turn on PostgreSQL. So a turn reads the session in one query, the caller
records its writes on a :class:`SessionTurn`, and :func:`commit` applies them in one short
transaction that first checks the session is still as it was read: a compare-and-set on its
``updated_at``, backed by the unique ``(session_id, seq)`` of the transcript. If another process
wrote a turn in between, :class:`TurnConflict` is raised and nothing is written; the caller works
the turn out again on the new state (``SessionStore.run_turn``), then holding the lock (``exclusive``)
so that it cannot lose again: a rare conflict costs one locked turn, never a livelock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

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


# The statements of a turn, built once (bound by name at each execution): building SQLAlchemy
# expressions anew costs more Python per turn than the queries themselves.
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
_ADD = insert(turns)
_SCORECARD = (
    update(scorecards)
    .where(scorecards.c.session_id == bindparam("sid"))
    .values(scorecard=bindparam("card"), updated_at=bindparam("now"))
)
_NEW_SCORECARD = insert(scorecards).values(
    session_id=bindparam("sid"), scorecard=bindparam("card"), updated_at=bindparam("now")
)


def read(connection: Connection, session_id: str, lock: bool = False) -> SessionTurn:
    """The session and the seq of its last message, in one query; with ``lock``, the session row
    stays locked until the caller's write transaction ends (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` holds the whole database anyway)."""
    if lock:  # first the lock, then the read: a statement that waited for a lock still sees its
        # snapshot from before the wait (PostgreSQL, READ COMMITTED), the last seq included
        connection.execute(_LOCK, {"sid": session_id})
    row = connection.execute(_READ, {"sid": session_id}).mappings().first()
    if row is None:
        raise SessionNotFound(session_id)
    return SessionTurn(session_from_row(row), int(row["last_seq"]))


def commit(connection: Connection, turn: SessionTurn) -> None:
    """Apply the turn's writes inside the caller's write transaction, or raise TurnConflict."""
    session_id = turn.session.id
    now = utcnow()
    keys = {"sid": session_id, "read_at": turn.read_at, "now": now}
    if turn._state is None:
        claimed = connection.execute(_CAS, keys)
    else:
        state, finished = turn._state
        claimed = connection.execute(_CAS_STATE, {**keys, "new_state": state, "new_finished": finished})
    if claimed.rowcount != 1:
        raise TurnConflict(session_id)
    try:
        if turn._rows:
            connection.execute(_ADD, [{"session_id": session_id, **row.__dict__} for row in turn._rows])
        if turn._scorecard is not None:
            # Update-then-insert is a portable upsert here: the session row is locked by the update
            # above, so no other transaction can insert this session's scorecard in between.
            card = {"sid": session_id, "card": turn._scorecard, "now": now}
            if connection.execute(_SCORECARD, card).rowcount == 0:
                connection.execute(_NEW_SCORECARD, card)
    except IntegrityError:  # the same seq from another process: it won
        raise TurnConflict(session_id) from None
    turn.session = replace(turn.session, updated_at=now)
    turn.read_at = now
