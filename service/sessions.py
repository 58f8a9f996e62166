"""Chat sessions: one way in for every front end (web page, JSON API, messengers).

A session is a rehearsal, a drill or an ask conversation. Its engine state lives in the store and
is loaded, advanced and saved as one turn of the store per message (``SessionStore.run_turn``), so
concurrent messages to the same session are serialised and no turn is lost or applied twice.
A caller on an event loop uses ``post_turn_async``: the message embedded first, awaited, then the
turn itself right on the loop (no thread hop) whenever it can go through without waiting.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .container import Services
from .dialogue.conversation import Conversation
from .dialogue.drills import DrillState
from .dialogue.turn import CitationData, CoachNote, TurnReply
from .errors import InvalidInput
from .planning import wizard
from .retrieval.embedders import given
from .store import SessionBusy, SessionNotFound, SessionRecord, SessionStore, SessionTurn, TurnConflict
from .text import Language, clean_text

Mode = Literal["rehearsal", "drill", "ask", "plan"]
MODES = ("rehearsal", "drill", "ask", "plan")  # "plan": the messengers' step-by-step visit plan
EMBED_FIRST = ("rehearsal", "drill")  # modes whose turns embed the message, and only it (most turns)
SEEN_KEPT = 4096  # sessions whose mode a process remembers (see post_turn_async)

ASK_INTRO = {
    "zh": "直接提问吧，例如：如何接近技术把关者？客户说价格太贵怎么办？",
    "en": "Ask away — for example: How do I approach a technical gatekeeper? What if the client says we're too expensive?",
}


@dataclass(frozen=True)
class PostedTurn:
    mode: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class _Seen:
    mode: str
    finished: bool


class SessionService:
    """Starts sessions and applies messages to them, persisting every turn."""

    def __init__(self, store: SessionStore, services: Services) -> None:
        self.store = store
        self.services = services
        # makes and stores a plan from a finished plan exchange: (plan data, channel key) -> (id, text)
        self.plan_maker: Callable[[dict[str, Any], str | None], tuple[str, str]] | None = None
        self._seen: OrderedDict[str, _Seen] = OrderedDict()  # the last turn's outcome of recent sessions
        self._seen_lock = threading.Lock()

    def start(
        self,
        mode: str,
        language: Language,
        scenario: str | None = None,
        framework: str | None = None,
        channel_key: str | None = None,
        difficulty: str | None = None,
    ) -> tuple[SessionRecord, dict[str, Any]]:
        """Open a session and return it with the opening reply (briefing, first drill, or ask intro).

        A messenger session (``channel_key``) replaces the conversation's open one, atomically."""
        if mode == "rehearsal":
            if not scenario:
                raise InvalidInput("a rehearsal needs a scenario (see GET /api/scenarios)")
            conversation, reply = self.services.rehearsal.start(scenario, language, difficulty=difficulty)
            state: dict[str, Any] = conversation.to_dict()
        elif mode == "drill":
            if not framework:
                raise InvalidInput("a drill needs a framework: spin, lscpa or fabe")
            drill, reply = self.services.drills.start(framework, language)
            state = drill.to_dict()
        elif mode == "plan":
            state, prompt = wizard.start(language, self.services.wizard)
            reply = TurnReply(
                language=language, stage="plan", client=None, coach=CoachNote(prompt), suggestions=[]
            )
        elif mode == "ask":
            state = {}
            reply = TurnReply(
                language=language,
                stage="ask",
                client=None,
                coach=CoachNote(ASK_INTRO[language]),
                suggestions=[],
            )
        else:
            raise InvalidInput(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        payload = reply.to_dict()
        record = self.store.create_session(
            mode=mode, language=language, state=state, scenario=scenario if mode == "rehearsal" else None,
            framework=framework if mode == "drill" else None, channel_key=channel_key,
            replace_open=channel_key is not None, opening=(_reply_text(reply), payload),
        )  # fmt: skip
        self._saw(record)
        return record, payload

    def post(self, session_id: str, text: str) -> dict[str, Any]:
        """Apply one message to a session; returns the reply payload (see :meth:`post_turn`)."""
        return self.post_turn(session_id, text).payload

    def post_turn(self, session_id: str, text: str, at_once: bool = False) -> PostedTurn:
        """Apply one message to a session as one turn of the store (worked out again should another
        worker have changed the session meanwhile); the reply payload and the session's mode.
        ``at_once``: one attempt that never waits for the session (see ``SessionStore.try_turn``).

        Every message text reaches the store through here, cleaned by ``clean_text`` (NUL removed)."""
        text = clean_text(text or "").strip()
        if not text:
            raise InvalidInput("the message is empty")
        if len(text) > self.services.settings.max_query_chars:
            raise InvalidInput(
                f"the message has {len(text)} characters; the limit is {self.services.settings.max_query_chars}"
            )

        def work(turn: SessionTurn) -> PostedTurn:
            reply, state, finished = self._advance(turn.session, text)
            payload = reply.to_dict()
            turn.add("user", text, {"analysis": reply.analysis})
            turn.add("bot", _reply_text(reply), payload)
            turn.save(state, finished)
            if reply.scorecard is not None:
                turn.save_scorecard(asdict(reply.scorecard))
            self._saw(turn.session)
            return PostedTurn(turn.session.mode, payload)

        return self.store.try_turn(session_id, work) if at_once else self.store.run_turn(session_id, work)

    async def post_turn_async(
        self,
        session_id: str,
        text: str,
        in_thread: Callable[[Callable[[], PostedTurn]], Awaitable[PostedTurn]],
    ) -> PostedTurn:
        """:meth:`post_turn` for a caller on an event loop. A message whose embedding is known
        beforehand (a rehearsal's or a drill's, no chat command, in an open session this process
        has seen) is embedded first, awaited on the embedder's workers while the loop serves
        others; then the turn, a few milliseconds of Python and the store, runs right here on the
        loop, with no thread hop. Any other turn, and one that would have to wait here (the session
        is in a turn on another thread; another process wrote it meanwhile), runs ``in_thread``."""
        texts = self._embedded_ahead(session_id, text)
        if texts is None:
            return await in_thread(lambda: self.post_turn(session_id, text))
        rows = await self.services.analyser.embedder.embed_queries_async(texts)
        with given(texts, rows):
            try:
                return self.post_turn(session_id, text, at_once=True)
            except (SessionBusy, TurnConflict):
                return await in_thread(lambda: self.post_turn(session_id, text))

    def _embedded_ahead(self, session_id: str, text: str) -> list[str] | None:
        """What the turn of this message will embed, if that is known before it runs (see
        :meth:`post_turn_async`), else None."""
        with self._seen_lock:
            seen = self._seen.get(session_id)
        analyser = self.services.analyser
        text = clean_text(text or "").strip()
        if seen is None or seen.mode not in EMBED_FIRST or seen.finished or analyser.commands.match(text):
            return None
        try:
            return [analyser.embedding_text(text)]
        except InvalidInput:  # empty or too long: post_turn says so
            return None

    def _saw(self, session: SessionRecord) -> None:
        with self._seen_lock:
            self._seen[session.id] = _Seen(session.mode, session.finished)
            self._seen.move_to_end(session.id)
            while len(self._seen) > SEEN_KEPT:
                self._seen.popitem(last=False)

    def _advance(self, session: SessionRecord, text: str) -> tuple[TurnReply, dict[str, Any], bool]:
        language: Language = session.language  # type: ignore[assignment]
        if session.mode == "rehearsal":
            conversation = Conversation.from_dict(session.state)
            reply = self.services.rehearsal.reply(conversation, text)
            return reply, conversation.to_dict(), conversation.finished
        if session.mode == "plan":
            return self._plan_step(session, text, language)
        if session.mode == "drill":
            drill = DrillState.from_dict(session.state)
            reply = self.services.drills.reply(drill, text)
            return reply, drill.to_dict(), drill.finished
        answer = self.services.answerer.ask(text)
        citations = [
            CitationData(c.text, c.doc, c.doc_id, c.section, c.passage_id, c.text_en, c.doc_en, c.section_en)
            for c in answer.citations
        ]
        reply = TurnReply(
            language=answer.language or language, stage="ask", client=None,
            coach=CoachNote(answer.answer, citations), suggestions=[], events=["found" if answer.found else "not_found"],
        )  # fmt: skip
        return reply, session.state, False

    def _plan_step(
        self, session: SessionRecord, text: str, language: Language
    ) -> tuple[TurnReply, dict[str, Any], bool]:
        texts = self.services.wizard
        state, say, outcome = wizard.advance(session.state, text, texts)
        events = [outcome]
        if outcome == "done":
            if self.plan_maker is None:
                raise InvalidInput("visit plans are not available here")
            plan_id, markdown = self.plan_maker(state["plan"], session.channel_key)
            state["plan_id"] = plan_id
            say = f"{texts.done.get(language).replace('{plan_id}', plan_id)}\n\n{markdown}"
        reply = TurnReply(
            language=language, stage="plan", client=None, coach=CoachNote(say), suggestions=[], events=events
        )
        return reply, state, outcome != "ask"

    def transcript(self, session_id: str) -> dict[str, Any]:
        session = self._get(session_id)
        turns = self.store.list_turns(session_id)
        stage = session.state.get("state") if session.mode == "rehearsal" else session.mode
        return {
            "session_id": session.id, "mode": session.mode, "scenario": session.scenario,
            "framework": session.framework, "lang": session.language, "stage": stage,
            "finished": session.finished, "created_at": session.created_at.isoformat(),
            "turns": [{"seq": t.seq, "role": t.role, "text": t.text, "data": t.data} for t in turns],
        }  # fmt: skip

    def scorecard(self, session_id: str) -> dict[str, Any] | None:
        """The saved scorecard, or for an unfinished rehearsal the scorecard so far."""
        session = self._get(session_id)
        saved = self.store.get_scorecard(session_id)
        if saved is not None or session.mode != "rehearsal":
            return saved
        conversation = Conversation.from_dict(session.state)
        from .dialogue.scorecard import build_scorecard

        engine = self.services.rehearsal
        return asdict(build_scorecard(conversation, engine.scenario(conversation.scenario), engine.coach))

    def _get(self, session_id: str) -> SessionRecord:
        session = self.store.get_session(session_id)
        if session is None:
            raise SessionNotFound(session_id)
        return session


def _reply_text(reply: TurnReply) -> str:
    """A one-line text of the bot's turn for the transcript (the full reply is kept as data)."""
    parts = [reply.client or "", reply.coach.text if reply.coach else "", reply.prompt or ""]
    return "\n".join(part for part in parts if part)
