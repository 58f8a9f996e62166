"""Reviews API: review a real visit's transcript, read a kept review back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from ..reviews import ReviewService
from .deps import in_domain
from .schemas import CitationOut

router = APIRouter(prefix="/api")

# The transcript's size limit is SALESCOACH_REVIEW_MAX_BYTES (UTF-8 bytes): the app states it as
# the field's maxLength (characters never outnumber bytes) and checks the bytes itself.
TRANSCRIPT_RULES: JsonDict = {"x-limit": "review_max_bytes", "pattern": r"[^\s\x00]"}


async def get_reviews(request: Request) -> ReviewService:
    return request.app.state.reviews


ReviewsDep = Annotated[ReviewService, Depends(get_reviews)]


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transcript: str = Field(
        min_length=1,
        description="The visit: 'Name: text' lines, WebVTT or SRT with speakers, or JSON "
        '[{"speaker", "text", "start"?, "end"?}].',
        json_schema_extra=TRANSCRIPT_RULES,
    )
    format: Literal["auto", "text", "vtt", "srt", "json"] = "auto"
    salesperson: str | None = Field(
        None,
        max_length=200,
        description="The salesperson's speaker name; default: who asks the most questions.",
    )
    lang: Literal["zh", "en"] | None = Field(None, description="Review language; default: the transcript's.")


class ReviewTurn(BaseModel):
    speaker: str
    role: Literal["salesperson", "client"]
    text: str
    start: float | None = None
    end: float | None = None
    analysis: dict[str, Any] = Field(
        description="Salesperson: spin, fabe, lscpa (null outside an objection), move, is_question, unsure, "
        "language (a rehearsal turn's analysis). Client: marks (difficulty, consequence, need, objection, "
        "agreement), is_question, language."
    )
    events: list[str]
    objection_open: bool


class SpinCounts(BaseModel):
    situation: int
    problem: int
    implication: int
    need_payoff: int


class ReviewMetrics(BaseModel):
    talk_share: float = Field(ge=0, le=1, description="The salesperson's share of the words.")
    talk_share_time: float | None = Field(None, ge=0, le=1, description="... of the time, with timestamps.")
    turns: int
    salesperson_turns: int
    words: int
    questions: int
    questions_per_10_turns: float
    spin_counts: SpinCounts
    spin_order: str = Field(description="S/P/I/N letters of the questions, repeats collapsed.")
    spin_in_order: bool
    longest_monologue_words: int
    pitch_before_need: bool
    argued_before_clarifying: bool
    next_step_agreed: bool


class ReviewCheck(BaseModel):
    id: str
    name: str
    passed: bool
    evidence: str
    advice: str | None = None
    citations: list[CitationOut]
    drill: str | None = Field(None, description="The drill that practises a missed check.")
    drill_framework: str | None = None
    practise: str | None = Field(None, description="The web page's link to that drill.")
    turn: int | None = Field(None, description="The index of the turn the evidence quotes.")


class ReviewScorecard(BaseModel):
    score: int
    language: Literal["zh", "en"]
    checks: list[ReviewCheck]


class ReviewResponse(BaseModel):
    review_id: str
    created_at: str | None = None
    lang: Literal["zh", "en"]
    salesperson: str
    salesperson_inferred: bool
    speakers: list[str]
    format: Literal["text", "vtt", "srt", "json"]
    turns: list[ReviewTurn]
    metrics: ReviewMetrics
    scorecard: ReviewScorecard


@router.post(
    "/reviews", summary="Review a real visit's transcript", status_code=201, response_model=ReviewResponse
)
async def create_review(request: Request, reviews: ReviewsDep, body: ReviewRequest) -> dict[str, Any]:
    return await in_domain(request, reviews.create, body.transcript, body.format, body.salesperson, body.lang)


@router.get("/reviews/{review_id}", summary="A kept review", response_model=ReviewResponse)
async def get_review(reviews: ReviewsDep, review_id: str) -> dict[str, Any]:
    return await run_in_threadpool(reviews.get, review_id)
