"""Visit plans API: make a plan for tomorrow's visit, read it back, rehearse it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..planning.plan import PlanGoal, PlanInput, PlanPerson
from ..plans import PlanService
from .deps import in_domain
from .schemas import CitationOut

router = APIRouter(prefix="/api")


async def get_plans(request: Request) -> PlanService:
    return request.app.state.plans


PlansDep = Annotated[PlanService, Depends(get_plans)]


class SpinQuestions(BaseModel):
    situation: list[str]
    problem: list[str]
    implication: list[str]
    need_payoff: list[str]


class PlannedDifficulty(BaseModel):
    text: str
    questions: SpinQuestions = Field(description="Each question is classified by the analyser as its kind.")


class FabeOutline(BaseModel):
    need: str
    feature: str
    advantage: str
    benefit: str
    evidence: str


class LscpaStep(BaseModel):
    step: Literal["listen", "share", "clarify", "present", "ask"]
    text: str


class ObjectionPlan(BaseModel):
    objection: str
    kind: Literal["price", "time", "risk", "competitor", "authority", "change", "doubt"]
    steps: list[LscpaStep]
    citations: list[CitationOut]


class RoleAdvice(BaseModel):
    role: Literal["coach", "user", "technical_gatekeeper", "economic_buyer"]
    name: str
    summary: str
    cares: list[str] = Field(description="What this role cares about (handbook 000's CUTE sections).")
    give: list[str]
    avoid: list[str]
    citations: list[CitationOut]


class FilledPlan(BaseModel):
    lang: Literal["zh", "en"]
    company: str
    industry: str
    person: PlanPerson
    facts: list[str]
    difficulties: list[PlannedDifficulty]
    objection: str | None
    goal: PlanGoal
    date: str
    fabe: list[FabeOutline]
    objection_plan: ObjectionPlan
    role_advice: RoleAdvice
    next_step: str
    citations: list[CitationOut]


class PlanResponse(BaseModel):
    plan_id: str
    plan: FilledPlan
    markdown: str = Field(description="The plan as Markdown, to download or print.")


class RehearsalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    difficulty: Literal["easy", "normal", "hard"] | None = Field(
        None, description="How readily the client admits difficulties (default: normal)."
    )
    lang: Literal["zh", "en"] | None = Field(None, description="Default: the plan's language.")


class RehearsalStarted(BaseModel):
    session_id: str
    reply: dict[str, Any] = Field(description="The opening reply, as from POST /api/sessions.")


@router.post("/plans", summary="Make a visit plan", status_code=201, response_model=PlanResponse)
async def create_plan(request: Request, plans: PlansDep, body: PlanInput) -> dict[str, Any]:
    record = await in_domain(request, plans.create, body)
    return plans.payload(record)


@router.get("/plans/{plan_id}", summary="A visit plan", response_model=PlanResponse)
async def get_plan(plans: PlansDep, plan_id: str) -> dict[str, Any]:
    record = await run_in_threadpool(plans.get, plan_id)
    return plans.payload(record)


@router.post(
    "/plans/{plan_id}/rehearsal", summary="Rehearse the visit of a plan", status_code=201,
    response_model=RehearsalStarted,
)  # fmt: skip
async def rehearse_plan(
    request: Request, plans: PlansDep, plan_id: str, body: Annotated[RehearsalRequest | None, Body()] = None
) -> dict[str, Any]:
    options = body or RehearsalRequest()
    record, reply = await in_domain(request, plans.rehearse, plan_id, options.lang, options.difficulty)
    return {"session_id": record.id, "reply": reply}


__all__ = ["PlanInput", "router"]
