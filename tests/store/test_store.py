"""SessionStore on SQLite and PostgreSQL: schema, sessions, turns, scorecards, locking, event ids."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from service.errors import SalesCoachError
from service.store import SessionNotFound, SessionRecord, SessionStore

THREADS = 8
TURNS_PER_THREAD = 5


def _new(store: SessionStore, **kwargs: object) -> SessionRecord:
    return store.create_session(mode="rehearsal", language="en", state={"n": 0}, **kwargs)  # type: ignore[arg-type]


def _assert_utc(moment: datetime) -> None:
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


def test_migrate_twice_is_idempotent(store: SessionStore, store_url: str) -> None:
    store.migrate()
    store.migrate()
    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                "0001"
            ]
    finally:
        engine.dispose()
    assert store.ping()


def test_ping_is_false_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    broken = SessionStore(f"sqlite:///{tmp_path}/missing/folder/x.db")  # no migrate: folder never made
    assert broken.ping() is False
    broken.close()


def test_create_get_and_find_by_channel_key(store: SessionStore) -> None:
    key = f"telegram:t1:c1:{uuid.uuid4().hex}"
    created = store.create_session(
        mode="drill", language="zh", state={"drill": [1, "二"]}, framework="spin", channel_key=key
    )
    assert len(created.id) == 32 and int(created.id, 16) >= 0
    loaded = store.get_session(created.id)
    assert loaded == created
    assert loaded.state == {"drill": [1, "二"]} and loaded.framework == "spin" and loaded.scenario is None
    _assert_utc(loaded.created_at)
    _assert_utc(loaded.updated_at)
    assert store.find_by_channel_key(key) == created
    assert store.find_by_channel_key(f"{key}-other") is None
    assert store.get_session(uuid.uuid4().hex) is None


def test_find_by_channel_key_returns_the_open_session_after_one_finished(store: SessionStore) -> None:
    key = f"slack:t:c:{uuid.uuid4().hex}"
    first = _new(store, channel_key=key)
    with pytest.raises(IntegrityError):  # one open session per conversation
        _new(store, channel_key=key)
    with store.turn(first.id) as turn:
        turn.save({"n": 0}, True)
    assert store.find_by_channel_key(key) is None
    second = _new(store, channel_key=key)
    assert store.find_by_channel_key(key) == second


def test_turns_get_consecutive_seqs_and_come_back_in_order(store: SessionStore) -> None:
    session = _new(store)
    with store.turn(session.id) as turn:
        first = turn.add("bot", "Welcome", {"stage": "briefing"})
    with store.turn(session.id) as turn:
        assert turn.add("user", "Hi", {"analysis": {"spin": "S"}}).seq == 2
        assert turn.add("bot", "Hello", {"stage": "opening"}).seq == 3
    assert first.seq == 1
    turns = store.list_turns(session.id)
    assert [(t.seq, t.role, t.text) for t in turns] == [
        (1, "bot", "Welcome"),
        (2, "user", "Hi"),
        (3, "bot", "Hello"),
    ]
    assert turns[1].data == {"analysis": {"spin": "S"}}
    _assert_utc(turns[0].created_at)
    assert store.list_turns(uuid.uuid4().hex) == []


def test_save_state_and_finished(store: SessionStore) -> None:
    session = _new(store)
    with store.turn(session.id) as turn:
        assert turn.session.state == {"n": 0} and not turn.session.finished
        turn.save({"n": 1, "state": "closing"}, True)
        assert turn.session.finished  # the yielded record follows the writes
    loaded = store.get_session(session.id)
    assert loaded is not None
    assert loaded.state == {"n": 1, "state": "closing"} and loaded.finished
    assert loaded.updated_at >= session.updated_at


def test_scorecard_upsert(store: SessionStore) -> None:
    session = _new(store)
    assert store.get_scorecard(session.id) is None
    with store.turn(session.id) as turn:
        turn.save_scorecard({"total": 3, "items": ["a"]})
    assert store.get_scorecard(session.id) == {"total": 3, "items": ["a"]}
    with store.turn(session.id) as turn:
        turn.save_scorecard({"total": 7})
    assert store.get_scorecard(session.id) == {"total": 7}


def test_a_session_survives_a_restart(store: SessionStore, store_url: str) -> None:
    session = _new(store)
    with store.turn(session.id) as turn:
        turn.add("user", "你好", {"x": 1})
        turn.save({"n": 5}, False)
        turn.save_scorecard({"total": 1})
    store.close()

    reopened = SessionStore(store_url)
    try:
        reopened.migrate()
        loaded = reopened.get_session(session.id)
        assert loaded is not None and loaded.state == {"n": 5}
        assert [t.text for t in reopened.list_turns(session.id)] == ["你好"]
        assert reopened.get_scorecard(session.id) == {"total": 1}
    finally:
        reopened.close()


def test_an_exception_inside_turn_rolls_everything_back(store: SessionStore) -> None:
    session = _new(store)
    with pytest.raises(RuntimeError, match="engine blew up"), store.turn(session.id) as turn:
        turn.add("user", "lost", {})
        turn.save({"n": 99}, True)
        turn.save_scorecard({"total": 0})
        raise RuntimeError("engine blew up")
    assert store.list_turns(session.id) == []
    assert store.get_scorecard(session.id) is None
    loaded = store.get_session(session.id)
    assert loaded is not None and loaded.state == {"n": 0} and not loaded.finished
    with store.turn(session.id) as turn:  # the lock was released
        assert turn.add("user", "kept", {}).seq == 1


def test_unknown_session_raises_session_not_found(store: SessionStore) -> None:
    missing = uuid.uuid4().hex
    with pytest.raises(SessionNotFound) as caught, store.turn(missing):
        pass
    assert isinstance(caught.value, SalesCoachError) and isinstance(caught.value, LookupError)
    assert caught.value.session_id == missing


def _hammer(stores: list[SessionStore], session_id: str) -> None:
    """THREADS threads, each doing TURNS_PER_THREAD read-modify-write turns on one session."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        store = stores[worker % len(stores)]
        try:
            start.wait()
            for i in range(TURNS_PER_THREAD):
                with store.turn(session_id) as turn:
                    n = turn.session.state["n"]
                    time.sleep(0.002)  # widen the read-modify-write window a lost update would need
                    turn.add("user", f"w{worker}-{i}", {"n_seen": n})
                    turn.save({"n": n + 1}, False)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def _assert_serialised(store: SessionStore, session_id: str) -> None:
    total = THREADS * TURNS_PER_THREAD  # one add() per turn → one seq per turn
    loaded = store.get_session(session_id)
    assert loaded is not None and loaded.state["n"] == total
    turns = store.list_turns(session_id)
    assert [t.seq for t in turns] == list(range(1, total + 1))
    # Each turn saw exactly the state the previous one saved: no lost or doubled update.
    assert [t.data["n_seen"] for t in turns] == list(range(total))
    assert sorted(t.text for t in turns) == sorted(
        f"w{w}-{i}" for w in range(THREADS) for i in range(TURNS_PER_THREAD)
    )


def test_concurrent_turns_in_one_store_are_serialised(store: SessionStore) -> None:
    session = _new(store)
    _hammer([store], session.id)
    _assert_serialised(store, session.id)


def test_concurrent_turns_across_two_stores_are_serialised(store: SessionStore, store_url: str) -> None:
    """Two SessionStore instances = two engines and pools, as two worker processes would have."""
    other = SessionStore(store_url)
    try:
        other.migrate()
        session = _new(store)
        _hammer([store, other], session.id)
        _assert_serialised(other, session.id)
    finally:
        other.close()


def test_claim_event_only_once(store: SessionStore, store_url: str) -> None:
    event_id = uuid.uuid4().hex
    assert store.claim_event("telegram", event_id) is True
    assert store.claim_event("telegram", event_id) is False
    assert store.claim_event("slack", event_id) is True  # ids are per channel
    other = SessionStore(store_url)
    try:
        assert other.claim_event("telegram", event_id) is False
        assert other.claim_event("telegram", uuid.uuid4().hex) is True
    finally:
        other.close()
