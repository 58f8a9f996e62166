"""SessionService.post_turn_async: a rehearsal turn embedded first and worked out on the event loop
gives what the same turn on a thread gives, stores the same, and falls back to a thread whenever it
would have to wait on the loop. Real model, real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.sessions import PostedTurn, SessionService
from service.store import SessionStore, TurnConflict

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPT = Path(__file__).parent / "dialogue" / "scripts" / "intercom_gatekeeper.good.zh.txt"
LINES = [line for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture()
def sessions(services, database_url, monkeypatch) -> Iterator[SessionService]:
    monkeypatch.setattr("service.dialogue.rehearsal.random.randrange", lambda _: 7)  # one seed for all
    store = SessionStore(database_url)
    store.migrate()
    yield SessionService(store, services)
    store.close()


class Threads:
    """An ``in_thread`` for post_turn_async that counts the turns sent to a thread."""

    def __init__(self) -> None:
        self.used = 0

    async def __call__(self, work: Callable[[], PostedTurn]) -> PostedTurn:
        self.used += 1
        return await asyncio.to_thread(work)


def _stored(sessions: SessionService, session_id: str) -> tuple[Any, list[tuple[str, str, Any]]]:
    session = sessions.store.get_session(session_id)
    assert session is not None
    turns = [(t.role, t.text, t.data) for t in sessions.store.list_turns(session_id)]
    return session.state, turns


def test_a_turn_on_the_loop_replies_and_stores_what_a_turn_on_a_thread_does(sessions, monkeypatch):
    embedder = sessions.services.analyser.embedder
    submitted: list[str] = []  # every text the embedder's workers were given
    real = embedder.submit
    monkeypatch.setattr(
        embedder, "submit", lambda texts, *a, **k: submitted.extend(texts) or real(texts, *a, **k)
    )
    on_thread, _ = sessions.start("rehearsal", "zh", "intercom_gatekeeper")
    on_loop, _ = sessions.start("rehearsal", "zh", "intercom_gatekeeper")
    threads = Threads()

    async def rehearse() -> list[dict[str, Any]]:
        return [(await sessions.post_turn_async(on_loop.id, line, threads)).payload for line in LINES]

    by_loop = asyncio.run(rehearse())
    by_thread = [sessions.post_turn(on_thread.id, line).payload for line in LINES]
    assert by_loop == by_thread and by_loop[-1]["done"] and by_loop[-1]["scorecard"]["score"] == 100
    assert _stored(sessions, on_loop.id) == _stored(sessions, on_thread.id)
    assert sessions.store.get_scorecard(on_loop.id) == sessions.store.get_scorecard(on_thread.id)
    assert threads.used == 0  # every turn of the rehearsal ran on the loop…
    assert all(submitted.count(line) == 2 for line in LINES)  # …its message embedded once, ahead
    asyncio.run(sessions.post_turn_async(on_loop.id, "还有一个问题。", threads))
    assert threads.used == 1  # a finished rehearsal embeds nothing: on a thread


def test_turns_that_cannot_be_embedded_ahead_or_would_wait_run_on_a_thread(sessions, services, monkeypatch):
    threads = Threads()
    ask, _ = sessions.start("ask", "en")
    asyncio.run(sessions.post_turn_async(ask.id, "What is SPIN?", threads))
    assert threads.used == 1  # an ask embeds its own queries
    rehearsal, _ = sessions.start("rehearsal", "zh", "intercom_gatekeeper")
    asyncio.run(sessions.post_turn_async(rehearsal.id, "提示", threads))
    assert threads.used == 2  # a chat command embeds nothing
    restarted = SessionService(sessions.store, services)  # another process: has not seen the session
    asyncio.run(restarted.post_turn_async(rehearsal.id, LINES[0], threads))
    assert threads.used == 3
    asyncio.run(restarted.post_turn_async(rehearsal.id, LINES[1], threads))
    assert threads.used == 3  # seen now

    inside, leave = threading.Event(), threading.Event()

    def hold_the_session() -> None:
        with sessions.store.turn(rehearsal.id) as turn:  # another thread's turn of the session
            inside.set()
            leave.wait(30)
            turn.add("user", "meanwhile", {})

    class Releasing(Threads):
        async def __call__(self, work: Callable[[], PostedTurn]) -> PostedTurn:
            leave.set()  # the other turn ends once this one has gone to a thread
            return await super().__call__(work)

    holder = threading.Thread(target=hold_the_session)
    holder.start()
    inside.wait(30)
    releasing = Releasing()
    assert asyncio.run(sessions.post_turn_async(rehearsal.id, LINES[2], releasing)).payload["client"]
    holder.join()
    assert releasing.used == 1  # the loop did not wait for the session: a thread did

    def conflict(*_: Any) -> Any:
        raise TurnConflict(rehearsal.id)

    monkeypatch.setattr(sessions.store, "try_turn", conflict)  # another worker wrote it meanwhile
    assert asyncio.run(sessions.post_turn_async(rehearsal.id, LINES[3], threads)).payload["client"]
    assert threads.used == 4
    said = [t.text for t in sessions.store.list_turns(rehearsal.id) if t.role == "user"]
    assert said == ["提示", LINES[0], LINES[1], "meanwhile", LINES[2], LINES[3]]
