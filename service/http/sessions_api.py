"""Sessions API: start a rehearsal, drill or ask session, post messages, read transcripts and scorecards."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..sessions import SessionService
from .deps import TextRulesDep, in_domain
from .schemas import DRILLS, SCENARIOS, TEXT_RULES

router = APIRouter(prefix="/api")


async def get_sessions(request: Request) -> SessionService:  # async: no thread hop per request
    return request.app.state.sessions


SessionsDep = Annotated[SessionService, Depends(get_sessions)]


class _Start(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Literal["zh", "en"] = "zh"


class StartRehearsal(_Start):
    mode: Literal["rehearsal"]
    scenario: str = Field(
        max_length=100, description="Scenario id (GET /api/scenarios).", json_schema_extra=SCENARIOS
    )
    difficulty: Literal["easy", "normal", "hard"] | None = Field(
        None, description="How readily the client admits difficulties, how patient (default: the scenario's)."
    )


class StartDrill(_Start):
    mode: Literal["drill"]
    framework: str = Field(
        description="A framework with drills (spin, lscpa, fabe …).", json_schema_extra=DRILLS
    )


class StartAsk(_Start):
    mode: Literal["ask"]


# One shape per mode: a rehearsal needs its scenario, a drill its framework, an ask neither.
StartRequest = Annotated[StartRehearsal | StartDrill | StartAsk, Field(discriminator="mode")]


class MessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="What the salesperson says.", json_schema_extra=TEXT_RULES)


@router.post("/sessions", summary="Start a session", status_code=201)
async def start(request: Request, sessions: SessionsDep, body: StartRequest) -> dict[str, Any]:
    scenario, framework = getattr(body, "scenario", None), getattr(body, "framework", None)
    difficulty = getattr(body, "difficulty", None)
    record, reply = await _timed(
        request, body.mode, sessions.start, body.mode, body.lang, scenario, framework, None, difficulty
    )
    return {"session_id": record.id, "reply": reply}


@router.post("/sessions/{session_id}/messages", summary="Send a message")
async def message(
    request: Request, sessions: SessionsDep, limit: TextRulesDep, session_id: str, body: MessageRequest
) -> dict[str, Any]:
    limit.check(body.text, "body", "text")
    started = time.perf_counter()
    posted = await sessions.post_turn_async(session_id, body.text, lambda work: in_domain(request, work))
    _count(request, posted.mode, started)
    return {"reply": posted.payload}


@router.get("/sessions/{session_id}", summary="The transcript, with the analysis of every turn")
async def transcript(sessions: SessionsDep, session_id: str) -> dict[str, Any]:
    return await run_in_threadpool(sessions.transcript, session_id)


@router.get("/sessions/{session_id}/scorecard", summary="The scorecard (so far, if unfinished)")
async def scorecard(sessions: SessionsDep, session_id: str) -> dict[str, Any]:
    return {"scorecard": await run_in_threadpool(sessions.scorecard, session_id)}


async def _timed(request: Request, mode: str, fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = await in_domain(request, fn, *args)
    _count(request, mode, started)
    return result


def _count(request: Request, mode: str, started: float) -> None:
    metrics = request.app.state.metrics
    metrics.turn_seconds.labels(mode=mode).observe(time.perf_counter() - started)
    metrics.turns.labels(mode=mode).inc()
