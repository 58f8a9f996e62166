"""SessionStore on SQLite and PostgreSQL: schema, sessions, turns, scorecards, locking, event ids."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from service.errors import SalesCoachError
from service.store import (
    ScenarioExists,
    SessionBusy,
    SessionNotFound,
    SessionRecord,
    SessionStore,
    SessionTurn,
    TurnConflict,
)
from service.store.schema import alembic_config

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
                ScriptDirectory.from_config(alembic_config()).get_current_head()
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


def test_a_turn_written_meanwhile_by_another_process_is_a_conflict(
    store: SessionStore, store_url: str
) -> None:
    other = SessionStore(store_url)
    session = _new(store)
    try:
        with pytest.raises(TurnConflict), store.turn(session.id) as late:
            with other.turn(session.id) as early:  # another worker's turn, read and written meanwhile
                early.add("user", "first", {})
                early.save({"n": 1}, False)
            late.add("user", "second", {})
            late.save({"n": 1}, False)
    finally:
        other.close()
    assert [t.text for t in store.list_turns(session.id)] == ["first"]
    loaded = store.get_session(session.id)
    assert loaded is not None and loaded.state == {"n": 1}


def test_try_turn_never_waits_for_another_threads_turn(store: SessionStore) -> None:
    session = _new(store)
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with store.turn(session.id) as turn:
            inside.set()
            leave.wait(30)
            turn.add("user", "first", {})

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(30)
    started = time.monotonic()
    with pytest.raises(SessionBusy):
        store.try_turn(session.id, lambda turn: turn.add("user", "never", {}))
    assert time.monotonic() - started < 1
    leave.set()
    holder.join()
    assert store.try_turn(session.id, lambda turn: turn.add("user", "second", {})).seq == 2
    assert [t.text for t in store.list_turns(session.id)] == ["first", "second"]


def test_the_database_is_not_locked_while_a_turn_is_worked_out(store: SessionStore) -> None:
    busy, other = _new(store), _new(store)
    with store.turn(busy.id) as turn:  # the engine is thinking…
        with store.turn(other.id) as meanwhile:  # …and another session's turn goes through
            meanwhile.add("user", "not blocked", {})
        turn.add("user", "done thinking", {})
    assert [t.text for t in store.list_turns(other.id)] == ["not blocked"]
    assert [t.text for t in store.list_turns(busy.id)] == ["done thinking"]


def _hammer(stores: list[SessionStore], session_id: str) -> None:
    """THREADS threads, each doing TURNS_PER_THREAD read-modify-write turns on one session."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        store = stores[worker % len(stores)]
        try:
            start.wait()
            for i in range(TURNS_PER_THREAD):

                def one(turn: SessionTurn, i: int = i) -> None:
                    n = turn.session.state["n"]
                    time.sleep(0.002)  # widen the read-modify-write window a lost update would need
                    turn.add("user", f"w{worker}-{i}", {"n_seen": n})
                    turn.save({"n": n + 1}, False)

                store.run_turn(session_id, one)
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
    assert store.claim_event("telegram", event_id).action == "work"
    assert store.claim_event("telegram", event_id).action == "skip"  # held by the first claim
    assert store.claim_event("slack", event_id).action == "work"  # ids are per channel
    other = SessionStore(store_url)
    try:
        assert other.claim_event("telegram", event_id).action == "skip"
        assert other.claim_event("telegram", uuid.uuid4().hex).action == "work"
    finally:
        other.close()


def test_a_released_claim_is_worked_again_and_a_kept_reply_resent(store: SessionStore) -> None:
    failed, unposted = uuid.uuid4().hex, uuid.uuid4().hex
    assert store.claim_event("slack", failed).action == "work"
    store.release_event("slack", failed)  # the work failed: nothing came of it
    assert store.claim_event("slack", failed).action == "work"
    assert store.claim_event("slack", unposted).action == "work"
    store.event_answered("slack", unposted, {"text": "hello", "citations": []})
    assert store.claim_event("slack", unposted).action == "skip"  # still held while it is posted
    store.release_event("slack", unposted)  # posting failed
    again = store.claim_event("slack", unposted)
    assert again.action == "resend" and again.reply == {"text": "hello", "citations": []}
    store.event_delivered("slack", unposted)
    assert store.claim_event("slack", unposted).action == "skip"


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(store: SessionStore) -> None:
    event_id = uuid.uuid4().hex
    assert store.claim_event("teams", event_id).action == "work"
    assert store.claim_event("teams", event_id).action == "skip"
    assert store.claim_event("teams", event_id, lease=timedelta(0)).action == "work"


def test_concurrent_claims_of_one_event_give_one_worker(store: SessionStore, store_url: str) -> None:
    other = SessionStore(store_url)
    event_id = uuid.uuid4().hex
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            actions = list(
                pool.map(
                    lambda n: [store, other][n % 2].claim_event("slack", event_id).action, range(THREADS)
                )
            )
    finally:
        other.close()
    assert sorted(actions) == ["skip"] * (THREADS - 1) + ["work"]


def test_ids_longer_than_their_columns_or_with_nul_are_kept_as_digests(store: SessionStore) -> None:
    for event_id in ["e" * 300 + uuid.uuid4().hex, f"nul\x00{uuid.uuid4().hex}", f"\ud800{uuid.uuid4().hex}"]:
        assert store.claim_event("generic", event_id).action == "work"
        assert store.claim_event("generic", event_id).action == "skip"
    key = "generic::" + "c" * 300 + ":" + "u" * 300 + uuid.uuid4().hex
    created = _new(store, channel_key=key)
    assert store.find_by_channel_key(key) == created
    assert store.find_by_channel_key(key[:-1]) is None


def test_replace_open_leaves_exactly_one_open_session(store: SessionStore, store_url: str) -> None:
    """Concurrent opens for one conversation, from two stores (two worker processes)."""
    other = SessionStore(store_url)
    key = f"slack:T:C:{uuid.uuid4().hex}"
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            opened = list(
                pool.map(
                    lambda n: _new([store, other][n % 2], channel_key=key, replace_open=True), range(THREADS)
                )
            )
    finally:
        other.close()
    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT id FROM sessions WHERE channel_key = :key AND NOT finished")
            still_open = connection.execute(query, {"key": key}).scalars().all()
    finally:
        engine.dispose()
    assert len(still_open) == 1 and still_open[0] in {s.id for s in opened}
    assert store.find_by_channel_key(key).id == still_open[0]


def test_plans_and_stored_scenarios(store: SessionStore) -> None:
    plan = store.save_plan(
        "zh", {"company": "某公司"}, {"company": "某公司", "next_step": "下周演示"}, "generic:t:c:u"
    )
    assert store.get_plan(plan.id) == plan
    assert store.get_plan("0" * 32) is None and store.get_plan("not-an-id") is None
    assert store.latest_plan("generic:t:c:u") == plan and store.latest_plan("generic:t:c:other") is None
    first = store.add_scenario("mine", "id: mine\n")
    assert store.add_scenario("mine", "id: mine\n").source == first.source  # the same again: no-op
    with pytest.raises(ScenarioExists):
        store.add_scenario("mine", "id: mine\ntitle: other\n")
    store.add_scenario("plan_x", "id: plan_x\n", plan_id=plan.id)
    assert [s.id for s in store.list_scenarios()] == ["mine"]
    assert {s.id for s in store.list_scenarios(with_plans=True)} == {"mine", "plan_x"}
    assert store.get_scenario("plan_x").plan_id == plan.id  # type: ignore[union-attr]
